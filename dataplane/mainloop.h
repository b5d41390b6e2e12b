/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mainloop.h - the main lcore's loop (mainloop.c), run by main.c once the
 * start-up steps are done.  It sits above the modules whose tasks it runs
 * (worker's slow path, mbox, ha), so none of them includes another upward.
 */
#ifndef SK_MAINLOOP_H
#define SK_MAINLOOP_H

/* Main lcore: the task table, turn after turn, until sk_dp.quit. */
void sk_main_loop(void);

#endif /* SK_MAINLOOP_H */
