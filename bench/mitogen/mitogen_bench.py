#!/usr/bin/python3
"""Mitogen's side of bench/ssh-run.sh: the same measurements as SshBench, against the same SSH test host.

Runs with Debian's python3 and python3-mitogen (0.3.3); the host needs python3. Prints one JSON object on stdout (the
log goes to stderr). Usage:

  mitogen_bench.py --host 127.0.0.5 --port 2222 --user mycelium --identity KEY --known-hosts FILE \
      --source LOCAL_256MIB_FILE --remote-dir /home/mycelium/bench [--rtt-seconds 4] [--runs 1000] [--in-flight 16]
      [--cold-runs 5] [--transfer-runs 3] [--warm-execs 5000] [--compression]

What is measured (each a fresh timing with time.perf_counter_ns):
  rtt       context.call(os.getpid) round trips on a connected context, and the raw anchor seen from Python (a
            persistent `ssh -T host cat`, 1 byte written and read back): 2 s warm-up each, then alternating blocks of
            about 1 s, --rtt-seconds of samples each
  cold      a fresh Broker + Router (timed apart), then router.ssh(...) + the first call, subprocess.call(['true'])
  exec      --runs x context.call(subprocess.call, ['true']) one after another, then with --in-flight call_async
            receivers outstanding (after a warm-up of 200 calls, not timed); both again after --warm-execs more calls
  put       (one untimed run, then --transfer-runs timed) mitogen.service.FileService in this process; the target calls FileService.get(parent, path, fp) into
            REMOTE_DIR/mitogen-put.bin, then fsyncs (as Mycelium's put does; Mitogen checks the size, not a hash)
  get       the reverse: the target starts a service pool with a FileService and registers the file, this process
            calls FileService.get(context, path, fp) into a local file, then fsyncs
  rss       VmRSS/VmHWM of the target's Python (the Mitogen agent) from /proc/self/status at several points
"""
import argparse
import json
import os
import subprocess
import sys
import time

import mitogen
import mitogen.core
import mitogen.master
import mitogen.service


# --- functions that run on the target (Mitogen ships this module's source to it) -------------------------------------


def proc_status():
    """VmRSS and VmHWM of this (target) Python process, in KiB."""
    out = {}
    with open('/proc/self/status') as f:
        for line in f:
            key, _, rest = line.partition(':')
            if key in ('VmRSS', 'VmHWM'):
                out[key] = int(rest.split()[0])
    out['pid'] = os.getpid()
    return out


def fetch_from_parent(parent, path, dest):
    """Pulls `path` from the FileService in `parent` into `dest`, fsyncs; returns (ok, bytes)."""
    with open(dest, 'wb') as fp:
        ok, _ = mitogen.service.FileService.get(parent, path, fp)
        fp.flush()
        os.fsync(fp.fileno())
    return ok, os.path.getsize(dest)


_file_service = None


@mitogen.core.takes_router
def serve_file(path, router):
    """Starts a service pool with a FileService in this (target) context, once, and registers `path`."""
    global _file_service
    if _file_service is None:
        _file_service = mitogen.service.FileService(router)
        mitogen.service.get_or_create_pool(router=router).add(_file_service)
    _file_service.register(path)
    return os.path.getsize(path)


def remove(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


# --- measurements ---------------------------------------------------------------------------------------------------


def log(msg):
    print('[mitogen-bench] ' + msg, file=sys.stderr, flush=True)


def percentiles(samples_ns):
    s = sorted(samples_ns)
    n = len(s)

    def at(q):
        # nearest-rank, as SshBench does
        k = max(1, -(-int(q * n * 1000) // 1000))
        return s[min(n, k) - 1] / 1000.0

    return {
        'n': n,
        'p50_us': at(0.50),
        'p95_us': at(0.95),
        'p99_us': at(0.99),
        'p999_us': at(0.999),
        'mean_us': sum(s) / n / 1000.0,
        'min_us': s[0] / 1000.0,
        'max_us': s[-1] / 1000.0,
    }


def sample_for(fn, warmup_s, measure_s, into):
    end = time.perf_counter() + warmup_s
    while time.perf_counter() < end:
        fn()
    end_ns = time.perf_counter_ns() + int(measure_s * 1e9)
    while True:
        t = time.perf_counter_ns()
        fn()
        t2 = time.perf_counter_ns()
        if into is not None:
            into.append(t2 - t)
        if t2 > end_ns:
            return


def median(xs):
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2.0


def ms(ns):
    return ns / 1e6


def series(runs_ms, size_bytes=None):
    out = {'runs_ms': [round(x, 3) for x in runs_ms], 'median_ms': median(runs_ms), 'min_ms': min(runs_ms)}
    if size_bytes:
        out['median_mib_s'] = size_bytes / 1048576.0 / (out['median_ms'] / 1000.0)
    return out


def ssh_args(a):
    return ['-o', 'UserKnownHostsFile=' + a.known_hosts, '-o', 'GlobalKnownHostsFile=/dev/null', '-e', 'none']


def connect(router, a):
    return router.ssh(
        hostname=a.host,
        port=a.port,
        username=a.user,
        identity_file=a.identity,
        check_host_keys='enforce',
        ssh_args=ssh_args(a),
        python_path='python3',
        compression=a.compression,
    )


def echo_process(a):
    """A persistent `ssh -T host cat` and a function that writes 1 byte to it and reads it back."""
    argv = ['ssh', '-T', '-e', 'none', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes',
            '-o', 'UserKnownHostsFile=' + a.known_hosts, '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR',
            '-i', a.identity, '-o', 'IdentitiesOnly=yes', '-p', str(a.port), '-l', a.user, a.host, 'cat']
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
    wfd, rfd = p.stdin.fileno(), p.stdout.fileno()

    def rt():
        os.write(wfd, b'x')
        if os.read(rfd, 1) != b'x':
            raise IOError('cat echoed something else')

    return p, rt


def alternate(ops, seconds):
    """Warm-up of 2 s for each op, then blocks of about 1 s of each in turn, `seconds` in all per op."""
    for op in ops:
        sample_for(op, 0, 2.0, None)
    samples = [[] for _ in ops]
    blocks = max(1, int(-(-seconds // 1)))
    for _ in range(blocks):
        for op, into in zip(ops, samples):
            sample_for(op, 0, seconds / blocks, into)
    return [percentiles(s) for s in samples]


def cold(a):
    setup, first = [], []
    for i in range(a.cold_runs + 1):
        t0 = time.perf_counter_ns()
        broker = mitogen.master.Broker()
        router = mitogen.master.Router(broker)
        t1 = time.perf_counter_ns()
        try:
            ctx = connect(router, a)
            rc = ctx.call(subprocess.call, ['true'])
            t2 = time.perf_counter_ns()
            if rc != 0:
                raise RuntimeError('true exited with %r' % (rc,))
        finally:
            broker.shutdown()
            broker.join()
        setup.append(ms(t1 - t0))
        first.append(ms(t2 - t1))
        log('cold %d: Broker+Router %.1f ms, ssh+bootstrap+first call %.1f ms' % (i, setup[-1], first[-1]))
    # The first run also pays this process's first-time costs (module source read, compiled); kept apart.
    return {
        'first_connect_ms': first[0],
        'first_setup_ms': setup[0],
        'connect': series(first[1:]),
        'setup': series(setup[1:]),
        'total_median_ms': median([s + f for s, f in zip(setup[1:], first[1:])]),
    }


def exec_sequential(ctx, n):
    t = time.perf_counter_ns()
    for _ in range(n):
        if ctx.call(subprocess.call, ['true']) != 0:
            raise RuntimeError('true failed')
    return ms(time.perf_counter_ns() - t)


def exec_in_flight(ctx, n, window):
    t = time.perf_counter_ns()
    pending = []
    started = 0
    done = 0
    while done < n:
        while started < n and len(pending) < window:
            pending.append(ctx.call_async(subprocess.call, ['true']))
            started += 1
        if pending.pop(0).get().unpickle() != 0:
            raise RuntimeError('true failed')
        done += 1
    return ms(time.perf_counter_ns() - t)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--host', required=True)
    p.add_argument('--port', type=int, required=True)
    p.add_argument('--user', required=True)
    p.add_argument('--identity', required=True)
    p.add_argument('--known-hosts', required=True)
    p.add_argument('--source', required=True, help='local file for put (its size is the transfer size)')
    p.add_argument('--remote-dir', required=True)
    p.add_argument('--local-dir', default=None, help='where get writes (default: the source file\'s directory)')
    p.add_argument('--rtt-seconds', type=float, default=4.0)
    p.add_argument('--runs', type=int, default=1000)
    p.add_argument('--in-flight', type=int, default=16)
    p.add_argument('--cold-runs', type=int, default=5)
    p.add_argument('--transfer-runs', type=int, default=3, help='timed runs, after one untimed run')
    p.add_argument('--warm-execs', type=int, default=5000, help='calls between the first and the second exec figures')
    p.add_argument('--compression', action='store_true', help='Mitogen\'s default; off here like the other clients')
    a = p.parse_args()
    size = os.path.getsize(a.source)
    local_dir = a.local_dir or os.path.dirname(os.path.abspath(a.source))
    result = {
        'mitogen_version': '.'.join(str(x) for x in mitogen.__version__),
        'python': sys.version.split()[0],
        'compression': a.compression,
    }

    result['load_before'] = open('/proc/loadavg').read().strip()
    log('cold connects')
    result['cold'] = cold(a)

    broker = mitogen.master.Broker()
    router = mitogen.master.Router(broker)
    rss = {}
    try:
        ctx = connect(router, a)
        result['target_python'] = ctx.call(lambda_version)
        rss['fresh'] = ctx.call(proc_status)

        log('no-op call round trips and ssh cat echoes, alternating')
        cat, echo = echo_process(a)
        try:
            result['rtt'], result['py_ssh_cat_echo'] = alternate([lambda: ctx.call(os.getpid), echo], a.rtt_seconds)
        finally:
            cat.stdin.close()
            cat.wait(5)
        log('call p50 %.1f us, echo p50 %.1f us' % (result['rtt']['p50_us'], result['py_ssh_cat_echo']['p50_us']))
        rss['after_rtt'] = ctx.call(proc_status)

        log('%d x true, warm-up 200' % a.runs)
        exec_sequential(ctx, 200)
        result['exec_sequential_ms'] = exec_sequential(ctx, a.runs)
        log('sequential: %.0f ms' % result['exec_sequential_ms'])
        result['exec_in_flight_ms'] = exec_in_flight(ctx, a.runs, a.in_flight)
        log('%d in flight: %.0f ms' % (a.in_flight, result['exec_in_flight_ms']))
        result['exec_warm_execs'] = a.warm_execs
        result['exec_warm_execs_ms'] = exec_sequential(ctx, a.warm_execs)
        result['exec_warm_sequential_ms'] = exec_sequential(ctx, a.runs)
        result['exec_warm_in_flight_ms'] = exec_in_flight(ctx, a.runs, a.in_flight)
        log('%d more calls later: sequential %.0f ms, %d in flight %.0f ms' % (
            a.warm_execs, result['exec_warm_sequential_ms'], a.in_flight, result['exec_warm_in_flight_ms']))
        rss['after_exec'] = ctx.call(proc_status)

        log('put %d MiB with FileService, %d runs' % (size >> 20, a.transfer_runs))
        files = mitogen.service.FileService(router)
        pool = mitogen.service.Pool(router, services=[files], size=2)
        try:
            src = os.path.abspath(a.source)
            files.register(src)
            dest = a.remote_dir.rstrip('/') + '/mitogen-put.bin'
            ctx.call(os.makedirs, a.remote_dir, 0o755, True)
            runs = []
            for _ in range(a.transfer_runs + 1):  # the first is an untimed warm-up
                ctx.call(remove, dest)
                t = time.perf_counter_ns()
                ok, n = ctx.call(fetch_from_parent, router.myself(), src, dest)
                runs.append(ms(time.perf_counter_ns() - t))
                if not ok or n != size:
                    raise RuntimeError('put moved %d of %d bytes (ok=%r)' % (n, size, ok))
                log('put: %.0f ms' % runs[-1])
            result['put'] = series(runs[1:], size)
            result['put']['warmup_ms'] = runs[0]
            rss['after_put'] = ctx.call(proc_status)
        finally:
            pool.stop(join=True)

        log('get %d MiB with a FileService in the target, %d runs' % (size >> 20, a.transfer_runs))
        try:
            remote_size = ctx.call(serve_file, dest)
            local = os.path.join(local_dir, 'mitogen-get.bin')
            runs = []
            for _ in range(a.transfer_runs + 1):  # the first is an untimed warm-up
                remove(local)
                t = time.perf_counter_ns()
                with open(local, 'wb') as fp:
                    ok, _ = mitogen.service.FileService.get(ctx, dest, fp)
                    fp.flush()
                    os.fsync(fp.fileno())
                runs.append(ms(time.perf_counter_ns() - t))
                n = os.path.getsize(local)
                if not ok or n != remote_size:
                    raise RuntimeError('get moved %d of %d bytes (ok=%r)' % (n, remote_size, ok))
                log('get: %.0f ms' % runs[-1])
            result['get'] = series(runs[1:], size)
            result['get']['warmup_ms'] = runs[0]
            remove(local)
        except Exception as e:  # reported, not invented
            result['get_error'] = '%s: %s' % (type(e).__name__, e)
            log('get failed: ' + result['get_error'])
        rss['after_get'] = ctx.call(proc_status)
        ctx.call(remove, dest)
    finally:
        broker.shutdown()
        broker.join()
    result['target_rss_kib'] = rss
    result['load_after'] = open('/proc/loadavg').read().strip()
    json.dump(result, sys.stdout, indent=1, sort_keys=True)
    print()


def lambda_version():
    return sys.version.split()[0]


if __name__ == '__main__':
    main()
