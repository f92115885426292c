#!/bin/sh
# Node 20's test runner does not expand globs and finds no .ts file by itself
# (it would report zero tests and exit 0), so we hand it an explicit, sorted list.
find test -name '*.test.ts' | LC_ALL=C sort
