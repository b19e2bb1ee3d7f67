#!/usr/bin/env python3
"""Combines SshBench's mycelium.json and mitogen_bench.py's mitogen.json into one Markdown table with ratios and the
DESIGN.md targets, printed and written to DIR/summary.md (and both inputs merged into DIR/combined.json).

Usage: ssh_summarize.py DIR
"""
import json
import os
import sys


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        return None


def f(x, unit=''):
    if x is None:
        return 'n/a'
    if abs(x) >= 100:
        s = '{:,.0f}'.format(x)
    elif abs(x) >= 10:
        s = '{:.1f}'.format(x)
    else:
        s = '{:.2f}'.format(x)
    return s + unit


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def rx(x):
    return 'n/a' if x is None else '{:.2f}x'.format(x)


def verdict(value, limit, at_most):
    if value is None:
        return 'not measured'
    ok = value <= limit if at_most else value >= limit
    return ('met' if ok else 'MISSED') + ' ({} {} {})'.format(rx(value), '<=' if at_most else '>=', rx(limit))


def get(d, *keys):
    for k in keys:
        if d is None or k not in d:
            return None
        d = d[k]
    return d


def pct(d):
    if d is None:
        return 'n/a'
    return '{} / {} / {}'.format(f(d['p50_us']), f(d['p95_us']), f(d['p99_us']))


def main():
    out = sys.argv[1]
    m = load(os.path.join(out, 'mycelium.json'))
    g = load(os.path.join(out, 'mitogen.json'))
    if m is None:
        sys.exit('no mycelium.json in ' + out)
    lines = []
    p = lines.append

    runs = m.get('exec_runs', 1000)
    window = m.get('exec_in_flight', 16)
    t = m['transfer']
    mib = t['bytes'] / 1048576.0

    def tp(key):
        return get(t, key, 'median_mib_s')

    def gtp(key):
        return get(g, key, 'median_mib_s')

    ping = m['rtt_mycelium_ping']
    echo = m['rtt_ssh_cat_echo']
    mrtt = get(g, 'rtt')
    pyecho = get(g, 'py_ssh_cat_echo')

    cold_m = get(m, 'cold_mycelium', 'connect', 'median_ms')
    cold_m_total = get(m, 'cold_mycelium', 'total', 'median_ms')
    cold_s = get(m, 'cold_ssh_true', 'median_ms')
    cold_g = get(g, 'cold', 'connect', 'median_ms')
    cold_g_total = get(g, 'cold', 'total_median_ms')

    seq_m = m['exec_mycelium_sequential_ms']
    par_m = m['exec_mycelium_in_flight_ms']
    seq_cm = m['exec_ssh_controlmaster_sequential_ms']
    seq_g = get(g, 'exec_sequential_ms')
    par_g = get(g, 'exec_in_flight_ms')
    warm_n = m.get('exec_mycelium_warm_execs')
    seqw_m = m.get('exec_mycelium_warm_sequential_ms')
    parw_m = m.get('exec_mycelium_warm_in_flight_ms')
    seqw_g = get(g, 'exec_warm_sequential_ms')
    parw_g = get(g, 'exec_warm_in_flight_ms')

    put_best_ssh = max(tp('put_ssh_cat'), tp('put_ssh_cat_controlmaster'))
    get_best_ssh = max(tp('get_ssh_cat'), tp('get_ssh_cat_controlmaster'))

    rss_m = m.get('agent_rss', {})
    rss_max = max((v['VmRSS'] for v in rss_m.values()), default=None)
    hwm_max = max((v['VmHWM'] for v in rss_m.values()), default=None)
    rss_g = get(g, 'target_rss_kib') or {}
    g_rss_max = max((v['VmRSS'] for v in rss_g.values()), default=None)
    g_hwm_max = max((v['VmHWM'] for v in rss_g.values()), default=None)

    p('Mycelium\'s SSH client: {}.'.format(m.get('client', 'OPENSSH')))
    p('')
    p('| measurement | Mycelium | raw ssh anchor | Mitogen 0.3.3 | Mycelium / ssh | Mycelium / Mitogen |')
    p('|---|---|---|---|---|---|')
    p('| no-op round trip p50 / p95 / p99 (µs) | {} | {} (`ssh -T host cat`, 1 byte; from Python: {}) | {} '
      '| {} | {} |'.format(pct(ping), pct(echo), pct(pyecho), pct(mrtt), rx(ratio(ping['p50_us'], echo['p50_us'])),
                           rx(ratio(ping['p50_us'], get(mrtt, 'p50_us')))))
    p('| cold connect + bootstrap + first `true` (ms, median) | {} (+ {} for `Mycelium.standalone()`) | {} '
      '(`ssh host true`) | {} (+ {} for Broker + Router) | {} | {} |'.format(
          f(cold_m), f(get(m, 'cold_mycelium', 'setup', 'median_ms')), f(cold_s), f(cold_g),
          f(get(g, 'cold', 'setup', 'median_ms')), rx(ratio(cold_m, cold_s)), rx(ratio(cold_m, cold_g))))
    p('| first cold connect in a new process (ms) | {} (+ {} for the first `Mycelium.standalone()`) | {} | {} '
      '| | |'.format(f(get(m, 'cold_mycelium', 'first_connect_ms')), f(get(m, 'cold_mycelium', 'first_setup_ms')),
                     f(get(m, 'cold_ssh_true', 'first_ms')), f(get(g, 'cold', 'first_connect_ms'))))
    p('| {:,} x `true`, sequential, fresh agent (ms) | {} | {} (`ssh host true`, ControlMaster) | {} | {} | {} |'.format(
        runs, f(seq_m), f(seq_cm), f(seq_g), rx(ratio(seq_m, seq_cm)), rx(ratio(seq_m, seq_g))))
    p('| {:,} x `true`, {} in flight, fresh agent (ms) | {} | (sequential only) | {} | {} of ControlMaster sequential '
      '| {} |'.format(runs, window, f(par_m), f(par_g), rx(ratio(par_m, seq_cm)), rx(ratio(par_m, par_g))))
    if seqw_m is not None:
        p('| {:,} x `true`, sequential, after {:,} more (ms) | {} | {} | {} | {} | {} |'.format(
            runs, warm_n, f(seqw_m), f(seq_cm), f(seqw_g), rx(ratio(seqw_m, seq_cm)), rx(ratio(seqw_m, seqw_g))))
        p('| {:,} x `true`, {} in flight, after {:,} more (ms) | {} | | {} | {} of ControlMaster sequential | {} |'
          .format(runs, window, warm_n, f(parw_m), f(parw_g), rx(ratio(parw_m, seq_cm)), rx(ratio(parw_m, parw_g))))
    p('| put {:.0f} MiB (MiB/s, median) | {} | {} new connection, {} ControlMaster, {} ControlMaster + `sync f` '
      '| {} (FileService) | {} of the faster `cat` | {} |'.format(
          mib, f(tp('put_mycelium')), f(tp('put_ssh_cat')), f(tp('put_ssh_cat_controlmaster')),
          f(tp('put_ssh_cat_sync_controlmaster')), f(gtp('put')), rx(ratio(tp('put_mycelium'), put_best_ssh)),
          rx(ratio(tp('put_mycelium'), gtp('put')))))
    p('| get {:.0f} MiB (MiB/s, median) | {} | {} new connection, {} ControlMaster, {} ControlMaster + fsync '
      '| {} (FileService in the target) | {} of the faster `cat` | {} |'.format(
          mib, f(tp('get_mycelium')), f(tp('get_ssh_cat')), f(tp('get_ssh_cat_controlmaster')),
          f(tp('get_ssh_cat_fsync_controlmaster')),
          'failed: ' + get(g, 'get_error') if get(g, 'get_error') else f(gtp('get')),
          rx(ratio(tp('get_mycelium'), get_best_ssh)), rx(ratio(tp('get_mycelium'), gtp('get')))))
    p('| agent RSS, max over the run / peak VmHWM (MiB) | {} / {} | | {} / {} (the target\'s python3) | | |'.format(
        f(rss_max and rss_max / 1024.0), f(hwm_max and hwm_max / 1024.0), f(g_rss_max and g_rss_max / 1024.0),
        f(g_hwm_max and g_hwm_max / 1024.0)))
    p('')
    p('Ratio columns: time over time for latencies and command counts (below 1: Mycelium is faster), MiB/s over MiB/s'
      ' for transfers (above 1: Mycelium is faster).')
    p('')
    p('Targets (DESIGN.md "Performance targets"):')
    p('')
    p('| target | measured | verdict |')
    p('|---|---|---|')
    p('| RPC p50 <= 1.5x raw `ssh -T host cat` echo | {} / {} µs | {} |'.format(
        f(ping['p50_us']), f(echo['p50_us']), verdict(ratio(ping['p50_us'], echo['p50_us']), 1.5, True)))
    p('| RPC p50 <= 0.4x Mitogen | {} / {} µs | {} |'.format(
        f(ping['p50_us']), f(get(mrtt, 'p50_us')), verdict(ratio(ping['p50_us'], get(mrtt, 'p50_us')), 0.4, True)))
    for label, sm, pm, sg in (('fresh agent', seq_m, par_m, seq_g), ('after {:,} more'.format(warm_n or 0), seqw_m,
                                                                         parw_m, seqw_g)):
        if sm is None:
            continue
        p('| {:,} sequential no slower than Mitogen ({}) | {} / {} ms | {} |'.format(
            runs, label, f(sm), f(sg), verdict(ratio(sm, sg), 1.0, True)))
        p('| {} in flight >= 3x Mitogen sequential, throughput ({}) | {} ms vs {} ms | {} |'.format(
            window, label, f(pm), f(sg), verdict(ratio(sg, pm), 3.0, False)))
        p('| {} in flight >= 20x `ssh host true` with ControlMaster ({}) | {} ms vs {} ms | {} |'.format(
            window, label, f(pm), f(seq_cm), verdict(ratio(seq_cm, pm), 20.0, False)))
    p('| cold bootstrap <= 0.8x Mitogen\'s connect | {} / {} ms | {} |'.format(
        f(cold_m), f(cold_g), verdict(ratio(cold_m, cold_g), 0.8, True)))
    p('| (the same with `Mycelium.standalone()` and Broker + Router included) | {} / {} ms | {} |'.format(
        f(cold_m_total), f(cold_g_total), verdict(ratio(cold_m_total, cold_g_total), 0.8, True)))
    p('| put >= 0.9x `ssh host \'cat > f\'` | {} / {} MiB/s | {} |'.format(
        f(tp('put_mycelium')), f(put_best_ssh), verdict(ratio(tp('put_mycelium'), put_best_ssh), 0.9, False)))
    p('| get >= 0.9x `ssh host \'cat f\' > local` | {} / {} MiB/s | {} |'.format(
        f(tp('get_mycelium')), f(get_best_ssh), verdict(ratio(tp('get_mycelium'), get_best_ssh), 0.9, False)))
    p('| agent RSS <= 64 MiB | max VmRSS {} MiB, VmHWM {} MiB | {} |'.format(
        f(rss_max and rss_max / 1024.0), f(hwm_max and hwm_max / 1024.0),
        'not measured' if rss_max is None else ('met' if hwm_max <= 64 * 1024 else 'MISSED')))
    p('')
    steps = ['fresh', 'after_rtt', 'after_exec', 'after_put', 'after_get']
    p('VmRSS by step (MiB), Mycelium agent: ' + ', '.join(
        '{} {}'.format(k, f(rss_m[k]['VmRSS'] / 1024.0)) for k in steps if k in rss_m) + '; Mitogen target: ' + ', '.join(
        '{} {}'.format(k, f(rss_g[k]['VmRSS'] / 1024.0)) for k in steps if k in rss_g) + '.')
    p('Load average (1, 5, 15 min) at the start of each part: ' + '; '.join(
        '{} {}'.format(k[len('load_'):], ' '.join(str(m[k]).split()[:3])) for k in (
            'load_before', 'load_after_cold', 'load_before_rtt', 'load_before_exec', 'load_before_controlmaster',
            'load_before_transfer', 'load_after') if k in m) + ('; Mitogen before {}, after {}'.format(
                ' '.join(str(g.get('load_before')).split()[:3]), ' '.join(str(g.get('load_after')).split()[:3]))
                if g else '') + '.')
    p('Transfers: one untimed warm-up run of each method, then the median of the timed runs; first (warm-up) run, '
      'ms: ' + ', '.join('{} {}'.format(k, f(v.get('warmup_ms'))) for k, v in t.items() if isinstance(v, dict))
      + ('; Mitogen put {}, get {}'.format(f(get(g, 'put', 'warmup_ms')), f(get(g, 'get', 'warmup_ms'))) if g else '')
      + '.')
    text = '\n'.join(lines) + '\n'
    print(text, end='')
    with open(os.path.join(out, 'summary.md'), 'w') as fh:
        fh.write(text)
    with open(os.path.join(out, 'combined.json'), 'w') as fh:
        json.dump({'mycelium_and_ssh': m, 'mitogen': g}, fh, indent=1)


if __name__ == '__main__':
    main()
