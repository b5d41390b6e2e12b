#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# embed_json.py IN OUT SYMBOL: check that IN is valid JSON (a broken
# document fails the build, not the first client) and write it as a C
# string constant SYMBOL with SYMBOL_len.
import json
import sys

src, dst, sym = sys.argv[1:4]
with open(src, 'rb') as f:
    raw = f.read()
json.loads(raw.decode('utf-8'))
lines = ['/* generated from %s by embed_json.py: do not edit */' % src.split('/')[-1],
         '#include <stddef.h>',
         'extern const char %s[];' % sym,
         'extern const size_t %s_len;' % sym,
         'const char %s[] =' % sym]
for i in range(0, len(raw), 64):
    chunk = raw[i:i + 64]
    lines.append('\t"' + ''.join('\\x%02x' % b for b in chunk) + '"')
lines.append('\t;')
lines.append('const size_t %s_len = %d;' % (sym, len(raw)))
with open(dst, 'w') as f:
    f.write('\n'.join(lines) + '\n')
