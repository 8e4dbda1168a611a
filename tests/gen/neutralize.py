#!/usr/bin/env python3
"""Rewrite machine-specific paths in a generated fixture folder to neutral
ones, as the shared samples do: the generator's folder becomes /srv/app/,
the interpreter's standard library /usr/lib/pythonX.Y/. Nothing else is
touched; gzip files keep their member structure.

usage: neutralize.py DIR FROM=TO [FROM=TO...]
"""
import gzip
import os
import sys
import zlib


def members(data):
	"""The decompressed members of a (multi-member) gzip file."""
	out = []
	while data:
		d = zlib.decompressobj(31)
		out.append(d.decompress(data) + d.flush())
		data = d.unused_data
		while data[:1] == b'\0':	# padding some tools leave
			data = data[1:]
	return out


def rewrite(text, pairs):
	for a, b in pairs:
		text = text.replace(a, b)
	return text


def main(argv):
	if len(argv) < 2:
		print(__doc__, file=sys.stderr)
		return 2
	top = argv[0]
	pairs = []
	for p in argv[1:]:
		a, _, b = p.partition('=')
		pairs.append((a.encode(), b.encode()))
	for name in sorted(os.listdir(top)):
		path = os.path.join(top, name)
		if '.log' not in name:
			continue
		with open(path, 'rb') as fh:
			data = fh.read()
		if name.endswith('.gz'):
			new = b''.join(gzip.compress(rewrite(m, pairs), mtime=0) for m in members(data))
		else:
			new = rewrite(data, pairs)
		if new != data:
			with open(path, 'wb') as fh:
				fh.write(new)
	return 0


if __name__ == '__main__':
	sys.exit(main(sys.argv[1:]))
