#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check that Documentation/emu_uring.rst's support matrix says what the
module implements: the op table rows and the *_SUPPORTED / EMU_FEATURES
masks in module/, name for name."""
import re
import sys
from pathlib import Path

top = Path(__file__).resolve().parent.parent
mod = {p.name: p.read_text() for p in (top / 'module').glob('*.c')}


def macro(name):
    for text in mod.values():
        m = re.search(r'#define\s+%s\s+(\(.*?\)|\S+)\s*$' % name, text,
                      re.M | re.S)
        if m:
            return set(re.findall(r'\b(IORING_\w+|IOSQE_\w+)', m.group(1)))
    sys.exit('check-doc: %s not found in module/' % name)


code = {
    'IORING_OP_': set(re.findall(r'^\t\[(IORING_OP_\w+)\]\s*=', mod['opdef.c'],
                                 re.M)),
    'IOSQE_': macro('EMU_SQE_FLAGS_SUPPORTED'),
    'IORING_SETUP_': macro('EMU_SETUP_FLAGS_SUPPORTED'),
    'IORING_ENTER_': macro('EMU_ENTER_FLAGS_SUPPORTED'),
    'IORING_FEAT_': macro('EMU_FEATURES'),
}
doc = (top / 'Documentation' / 'emu_uring.rst').read_text()
rows = re.findall(r'``((?:IORING|IOSQE)_\w+)``\s+(yes|no)\s*$', doc, re.M)
bad = 0
for prefix, supported in code.items():
    listed = {n for n, v in rows if n.startswith(prefix)}
    yes = {n for n, v in rows if n.startswith(prefix) and v == 'yes'}
    for name in sorted(supported - yes):
        print('check-doc: %s is supported but not marked yes' % name)
        bad += 1
    for name in sorted(yes - supported):
        print('check-doc: %s is marked yes but not supported' % name)
        bad += 1
    if not listed:
        print('check-doc: no %s* rows in the support matrix' % prefix)
        bad += 1
print('check-doc: support matrix %s' % ('differs' if bad else 'matches'))
sys.exit(1 if bad else 0)
