#!/usr/bin/env python3
# A raw client of the engine's socket, for what the real front end never does (it takes the cold
# path when not root): raw_request.py SOCKET ARG... sends one REQUEST, prints STDOUT/STDERR frames
# to its own stdout/stderr and exits with EXIT's status (FALLBACK: 107; EOF first: 99). The
# protocol version it claims: $RAW_VERSION, else the engine's (engine_protocol.h).
import os, struct, sys

def u32(v): return struct.pack('<I', v)
def string(s): b = s.encode(); return u32(len(b)) + b

def ns_key():
    return '-'.join('%s%d' % (short, os.stat('/proc/self/ns/' + name).st_ino)
                    for short, name in (('m', 'mnt'), ('n', 'net'), ('p', 'pid'), ('u', 'user'), ('c', 'cgroup')))

def read_exact(s, n):
    b = b''
    while len(b) < n:
        chunk = s.recv(n - len(b))
        if not chunk:
            return None
        b += chunk
    return b

def main():
    import socket
    path, args = sys.argv[1], sys.argv[2:]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    env = [k + '=' + v for k, v in os.environ.items()]
    body = u32(int(os.environ.get('RAW_VERSION', '2'))) + u32(0) + struct.pack('<HH', 0, 0) + u32(os.getpid()) + string(ns_key()) + string(os.getcwd())
    body += u32(len(args)) + b''.join(string(a) for a in args) + u32(len(env)) + b''.join(string(e) for e in env)
    try:
        s.sendall(struct.pack('<II', 1, len(body)) + body)
    except BrokenPipeError:
        pass  # the engine may answer (a refusal) and close before reading: its frames are still queued for us
    while True:
        head = read_exact(s, 8)
        if head is None:
            sys.exit(99)
        t, n = struct.unpack('<II', head)
        p = read_exact(s, n) if n else b''
        if t == 101:
            sys.stdout.buffer.write(p); sys.stdout.flush()
        elif t == 102:
            sys.stderr.buffer.write(p); sys.stderr.flush()
        elif t == 106:
            sys.exit(struct.unpack('<I', p)[0] & 0xff)
        elif t == 107:
            sys.exit(107)

main()
