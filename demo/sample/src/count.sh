#!/bin/sh
# Count the files under a directory.
find "${1:-.}" -type f | wc -l
