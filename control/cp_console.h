/* SPDX-License-Identifier: BSD-3-Clause */
/* cp_console.h - sekisho-cp's console commit (see cp_console.c). */
#ifndef SK_CP_CONSOLE_H
#define SK_CP_CONSOLE_H

/* Exit status: 0 done, 1 invalid/refused, 3 no dataplane, 4 stale generation. */
int sk_cp_console_commit(const char *path, long long replaces);

#endif /* SK_CP_CONSOLE_H */
