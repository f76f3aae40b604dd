#!/usr/bin/env python3
# A stand-in for the native front end (ENGINE-PROTOCOL.md), for tests until launcher-c-shim's lands:
# client.py SOCKET ARG... sends REQUEST, relays STDOUT/STDERR, runs SPAWNs as its own children,
# forwards TERM/INT/HUP/QUIT/USR1/USR2, and exits with EXIT's status.
import os, signal, socket, struct, sys, threading

def u32(v): return struct.pack('<I', v)
def string(s): b = s.encode() if isinstance(s, str) else s; return u32(len(b)) + b

def ns_key():
    k = []
    for short, name in (('m', 'mnt'), ('n', 'net'), ('p', 'pid'), ('u', 'user'), ('c', 'cgroup')):
        k.append('%s%d' % (short, os.stat('/proc/self/ns/' + name).st_ino))
    return '-'.join(k)

def main():
    path, args = sys.argv[1], sys.argv[2:]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    lock = threading.Lock()
    def send(t, payload=b''):
        with lock:
            s.sendall(struct.pack('<II', t, len(payload)) + payload)
    ttys = sum((1 << fd) for fd in range(3) if os.isatty(fd))
    env = [k + '=' + v for k, v in os.environ.items()]
    body = u32(1) + u32(ttys) + struct.pack('<HH', 0, 0) + u32(os.getpid()) + string(ns_key()) + string(os.getcwd())
    body += u32(len(args)) + b''.join(string(a) for a in args) + u32(len(env)) + b''.join(string(e) for e in env)
    send(1, body)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(sig, lambda n, f: send(3, u32(n)))
    f = s.makefile('rb')
    def reap(pid):
        _, status = os.waitpid(pid, 0)
        send(6, u32(pid) + u32(status))
    def stdin_pump():
        while True:
            b = os.read(0, 65536)
            send(2, b)
            if not b:
                return
    while True:
        head = f.read(8)
        if len(head) < 8:
            sys.stderr.write('jbox: lost the connection to the engine\n')
            os._exit(125)
        t, n = struct.unpack('<II', head)
        p = f.read(n)
        if t == 101:
            os.write(1, p)
        elif t == 102:
            os.write(2, p)
        elif t == 103:
            threading.Thread(target=stdin_pump, daemon=True).start()
        elif t == 104:
            mode, = struct.unpack_from('<I', p, 0); o = 4
            ln, = struct.unpack_from('<I', p, o); o += 4; log = p[o:o + ln].decode(); o += ln
            argc, = struct.unpack_from('<I', p, o); o += 4
            argv = []
            for _ in range(argc):
                ln, = struct.unpack_from('<I', p, o); o += 4; argv.append(p[o:o + ln]); o += ln
            envc, = struct.unpack_from('<I', p, o); o += 4
            cenv = {}
            for _ in range(envc):
                ln, = struct.unpack_from('<I', p, o); o += 4; kv = p[o:o + ln]; o += ln
                k, _, v = kv.partition(b'='); cenv[k] = v
            pid = os.fork()
            if pid == 0:
                for sig in range(1, signal.NSIG):
                    try: signal.signal(sig, signal.SIG_DFL)
                    except (OSError, ValueError): pass
                signal.pthread_sigmask(signal.SIG_SETMASK, [])
                if mode == 1:
                    fd = os.open('/dev/null', os.O_RDONLY); os.dup2(fd, 0)
                    fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600); os.dup2(fd, 1); os.dup2(fd, 2)
                try:
                    os.execve(argv[0], argv, cenv)
                finally:
                    os._exit(127)
            send(4, u32(pid))
            threading.Thread(target=reap, args=(pid,), daemon=True).start()
        elif t == 105:
            pid, sig = struct.unpack('<II', p)
            try: os.kill(pid, sig)
            except ProcessLookupError: pass
        elif t == 106:
            os._exit(struct.unpack('<I', p)[0])
        elif t == 107:
            os._exit(124)

main()
