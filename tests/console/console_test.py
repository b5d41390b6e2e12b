#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# console_test.py - run by tests/console/run with the plain lab up:
#  1. commit with confirmation over REST and sekishoctl, in real time: an
#     unconfirmed commit is rolled back at its deadline, a confirmed one
#     stays, and a sekisho-cp restarted while one is pending still rolls
#     back at the same deadline;
#  2. the console in Debian's chromium, headless, through selenium: login
#     (a wrong token refused), dashboard and policy counters equal to the
#     REST API's after traffic through the unit, drain a backend, a config
#     error shown at its line, a commit and the new generation, the
#     confirmation banner, a blocked SSH packet traced to its rule, logs,
#     a narrow window, logout; no error in the browser's console on any
#     page.  A screenshot of every page goes to $SK_CONSOLE_SHOTS.
# Prints TAP lines; exit 1 if any check failed.
import json
import os
import re
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
RUN = '/run/sekisho-lab'
URL = 'https://127.0.0.1:8443'
TOKEN = 'sekisho-lab-token'
CA = RUN + '/cp/tls/cert.pem'
CP = ROOT + '/build/control/sekisho-cp'
CTL = ROOT + '/build/control/ctl/sekishoctl'
CONF = ROOT + '/conf/lab.conf'
SHOTS = os.environ.get('SK_CONSOLE_SHOTS', ROOT + '/build/test-logs/console')

n = 0
failed = 0


T_START = time.time()


def check(cond, desc, diag=None):
    global n, failed
    n += 1
    if cond:
        print('ok %d - %s  (%.1f s)' % (n, desc, time.time() - T_START), flush=True)
    else:
        failed += 1
        print('not ok %d - %s' % (n, desc), flush=True)
        if diag:
            for line in str(diag).splitlines()[:40]:
                print('#   ' + line, flush=True)
    return cond


def note(msg):
    print('# ' + msg, flush=True)


CTX = ssl.create_default_context(cafile=CA)


def rest(method, path, body=None, token=TOKEN):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(URL + '/api/v1' + path, data=data, method=method)
    req.add_header('Authorization', 'Bearer ' + token)
    if data is not None:
        req.add_header('Content-Type', 'application/json')
    try:
        with urllib.request.urlopen(req, context=CTX, timeout=30) as r:
            return r.status, json.loads(r.read() or b'null')
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw)
        except ValueError:
            return e.code, {'raw': raw.decode(errors='replace')}


def running():
    st, doc = rest('GET', '/config')
    return doc if st == 200 else None


def wait_gen_change(gen, limit):
    t0 = time.time()
    while time.time() - t0 < limit:
        cur = running()
        if cur and cur['generation'] != gen:
            return cur, time.time()
        time.sleep(0.1)
    return running(), None


def logs_with(word):
    st, doc = rest('GET', '/logs?limit=200')
    return [l for l in (doc or {}).get('lines', []) if word in json.dumps(l)]


# ------------------------------------------------------------- confirm

def cp_restart():
    """Stop the lab's sekisho-cp (by its pid file) and start it the way
    scripts/lab does, pid file included, so that `lab down` stops it."""
    with open(RUN + '/cp.pid') as f:
        pid = int(f.read().strip())
    os.kill(pid, signal.SIGTERM)
    for _ in range(100):
        if not os.path.exists('/proc/%d' % pid):
            break
        time.sleep(0.1)
    log = open(RUN + '/cp.log', 'ab')
    subprocess.Popen(['sh', '-c', 'echo $$ > "$0"; exec "$@"', RUN + '/cp.pid', CP, '--serve',
                      CONF], stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                     cwd=ROOT, start_new_session=True)
    t0 = time.time()
    while time.time() - t0 < 30:
        try:
            if rest('GET', '/status')[0] == 200:
                return time.time() - t0
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.2)
    return None


def test_confirm():
    base = running()
    check(base is not None, 'GET /config: generation %s' % (base or {}).get('generation'))
    if base is None:
        return
    text0, g0, a0 = base['text'], base['generation'], base['archive']

    # Unconfirmed: rolled back at the deadline by sekisho-cp itself.
    st, doc = rest('POST', '/config/commit', {'text': text0 + '\n# confirm test A\n',
                                              'replaces': g0, 'confirm_within': 3})
    t_commit = time.time()
    ok = check(st == 200 and doc.get('confirm', {}).get('rollback_to') == a0 and
               doc['confirm'].get('remaining_s') == 3,
               'commit with confirm_within 3: generation %s, rolls back to archive %s'
               % (doc.get('generation'), a0), doc)
    if not ok:
        return
    g1 = doc['generation']
    st, pend = rest('GET', '/config/confirm')
    check(st == 200 and pend.get('pending') and pend.get('generation') == g1,
          'GET /config/confirm: generation %d pending' % g1, pend)
    cur, t_rb = wait_gen_change(g1, 10)
    took = (t_rb - t_commit) if t_rb else None
    note('unconfirmed commit rolled back %.2f s after it was made (deadline 3 s)' % (took or -1))
    check(t_rb is not None and 2.9 <= took <= 5.0 and cur['text'] == text0 and
          cur['generation'] == g1 + 1,
          'unconfirmed: rolled back on time to the old text as generation %s' % cur['generation'])
    st, arch = rest('GET', '/config/archives/%d' % cur['archive'])
    check(st == 200 and 'unconfirmed %d' % g1 in arch.get('source', '') and
          arch.get('principal') == 'sekisho-cp',
          'the archive says why: source "%s" by %s' % (arch.get('source'), arch.get('principal')))
    check(any('rolled-back' in json.dumps(l) for l in logs_with('confirm')),
          'the rollback is logged (event confirm, action rolled-back)', logs_with('confirm'))
    st, pend = rest('GET', '/config/confirm')
    check(st == 200 and pend.get('pending') is False, 'nothing pending after the rollback')

    # Confirmed: stays.
    g2 = cur['generation']
    st, doc = rest('POST', '/config/commit', {'text': text0 + '\n# confirm test B\n',
                                              'replaces': g2, 'confirm_within': 3})
    g3 = doc.get('generation')
    st2, conf = rest('POST', '/config/confirm', {'generation': g3})
    check(st == 200 and st2 == 200 and conf.get('confirmed') == g3,
          'confirmed generation %s (%s s left)' % (g3, conf.get('remaining_s')), conf)
    time.sleep(4)
    cur = running()
    check(cur['generation'] == g3 and cur['text'].endswith('# confirm test B\n'),
          'confirmed: generation %s still runs 4 s later' % g3)
    st, again = rest('POST', '/config/confirm', {})
    check(st == 409 and again.get('code') == 'not_pending', 'confirming again: 409 not_pending')

    # sekishoctl config commit --confirm / config confirm.
    path = '/tmp/sekisho-console-ctl.conf'
    with open(path, 'w') as f:
        f.write(text0 + '\n# confirm test C\n')
    env = dict(os.environ, SEKISHO_URL=URL, SEKISHO_TOKEN=TOKEN, SEKISHO_CACERT=CA)
    p = subprocess.run([CTL, 'config', 'commit', path, '--confirm', '60'], env=env,
                       capture_output=True, text=True)
    check(p.returncode == 0 and 'confirm within 60 s' in p.stdout,
          'sekishoctl config commit --confirm 60: %s' % p.stdout.strip().replace('\n', '; '),
          p.stdout + p.stderr)
    p = subprocess.run([CTL, 'config', 'confirm'], env=env, capture_output=True, text=True)
    check(p.returncode == 0 and 'confirmed' in p.stdout,
          'sekishoctl config confirm: %s' % p.stdout.strip(), p.stdout + p.stderr)
    os.unlink(path)

    # A restart while pending still rolls back, at the same deadline.
    before = running()
    st, doc = rest('POST', '/config/commit', {'text': text0 + '\n# confirm test D\n',
                                              'replaces': before['generation'],
                                              'confirm_within': 8})
    t_commit = time.time()
    g5 = doc.get('generation')
    up = cp_restart()
    note('sekisho-cp restarted in %.2f s' % (up or -1))
    st, pend = rest('GET', '/config/confirm')
    check(up is not None and st == 200 and pend.get('pending') and pend.get('generation') == g5,
          'after a sekisho-cp restart generation %s is still pending (%s s left)'
          % (g5, pend.get('remaining_s')), pend)
    cur, t_rb = wait_gen_change(g5, 15)
    took = (t_rb - t_commit) if t_rb else None
    note('pending across a restart: rolled back %.2f s after the commit (deadline 8 s)'
         % (took or -1))
    check(t_rb is not None and 7.9 <= took <= 10.5 and cur['text'] == before['text'],
          'restarted sekisho-cp rolled back on time to generation %s\'s text'
          % before['generation'])


# ------------------------------------------------------------- browser

def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    opts = webdriver.ChromeOptions()
    opts.binary_location = '/usr/bin/chromium'
    for a in ('--headless=new', '--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu',
              '--window-size=1280,800', '--ignore-certificate-errors', '--no-first-run',
              '--disable-extensions', '--disable-background-networking'):
        opts.add_argument(a)
    opts.set_capability('acceptInsecureCerts', True)
    opts.set_capability('goog:loggingPrefs', {'browser': 'ALL'})
    return webdriver.Chrome(service=Service('/usr/bin/chromedriver'), options=opts)


class UI:
    def __init__(self, d):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait
        self.d, self.By, self.Wait = d, By, WebDriverWait
        self.errors = []
        self.net_changed = 0

    def el(self, css):
        return self.d.find_element(self.By.CSS_SELECTOR, css)

    def els(self, css):
        return self.d.find_elements(self.By.CSS_SELECTOR, css)

    def wait(self, fn, timeout=10):
        try:
            return self.Wait(self.d, timeout, poll_frequency=0.2).until(lambda d: fn())
        except Exception:
            return None

    def text(self, css):
        e = self.els(css)
        return e[0].text if e else None

    def shot(self, name):
        self.d.save_screenshot(os.path.join(SHOTS, name + '.png'))

    def console(self, page, allow=None):
        """Errors in the browser's console since the last call."""
        for e in self.d.get_log('browser'):
            # The browser aborts requests when the host's interfaces change
            # (other labs on this machine): the console retries reads; the
            # abort is the host's doing, not the console's.
            if 'ERR_NETWORK_CHANGED' in e.get('message', ''):
                self.net_changed += 1
                continue
            if e.get('level') == 'SEVERE' and not (allow and allow(e)):
                self.errors.append((page, e.get('message')))

    def go(self, page):
        self.el('#nav-' + page).click()
        return self.wait(lambda: self.d.execute_script('return location.hash') == '#/' + page)

    def set_value(self, css, value):
        self.d.execute_script(
            'const e = document.querySelector(arguments[0]); e.value = arguments[1];'
            'e.dispatchEvent(new Event("input", {bubbles: true}));'
            'e.dispatchEvent(new Event("change", {bubbles: true}));', css, value)

    def confirm_dialog(self):
        if not self.wait(lambda: self.els('#confirm-ok'), 5):
            return None
        t = self.text('#confirm-text')
        self.el('#confirm-ok').click()
        return t


def num(s):
    try:
        return int((s or '').replace(',', '').strip())
    except ValueError:
        return None


def test_browser():
    t0 = time.time()
    d = browser()
    ui = UI(d)
    try:
        run_browser(ui)
    finally:
        d.quit()
    note('browser part took %.1f s' % (time.time() - t0))


def run_browser(ui):
    d = ui.d
    d.get(URL + '/ui/')
    check(ui.wait(lambda: ui.els('#token')), 'the console loads at /ui/ and asks for a token')
    ui.set_value('#token', 'not-the-token')
    ui.el('#login').click()
    err = ui.wait(lambda: ui.text('#login-error'))
    check(err and '401' in err, 'a wrong token is refused: "%s"' % err)
    ui.shot('login-refused')
    # The refused /status is the one error the browser may log here.
    ui.console('login', allow=lambda e: '401' in e.get('message', ''))
    ui.set_value('#token', TOKEN)
    ui.el('#login').click()
    gen = ui.wait(lambda: ui.text('#dash-generation'))
    check(gen and num(gen) == running()['generation'], 'logged in: dashboard shows generation %s' % gen)
    check(d.execute_script('return sessionStorage.getItem("sekisho.token")') == TOKEN and
          'token' not in d.current_url and not d.get_cookies(),
          'the token is in sessionStorage only (not in the URL, no cookie)')

    # Traffic through the unit, then the dashboard against the API.
    for _ in range(6):
        subprocess.run(['ip', 'netns', 'exec', 'sk-client', 'curl', '-s', '-m', '3', '-o',
                        '/dev/null', 'http://203.0.113.80/'], check=False)
    def dash_matches():
        c = rest('GET', '/counters')[1]
        rules = {r['name']: r['pkts'] for r in rest('GET', '/rules')[1]['rules']}
        shown = {r.get_attribute('data-rule'): num(r.find_element(ui.By.CSS_SELECTOR, '.rule-pkts').text)
                 for r in ui.els('#dash-rules tbody tr')}
        conns = num(ui.text('#conn-count'))
        ok = (conns == c['conns']['active'] and shown and
              all(rules.get(k) == v for k, v in shown.items()) and
              any(v > 0 for v in shown.values()))
        return (conns, c['conns']['active'], shown) if ok else None
    m = ui.wait(dash_matches, 30)
    check(m is not None, 'dashboard: connections (%s = API %s) and rule counters %s match the REST API'
          % (m[0], m[1], m[2]) if m else 'dashboard counters match the REST API',
          (ui.text('#conn-count'), rest('GET', '/counters')[1].get('conns'),
           ui.text('#dash-rules'), {r['name']: r['pkts'] for r in rest('GET', '/rules')[1]['rules']}))
    time.sleep(3)   # a few points on the charts
    ui.shot('dashboard')
    ui.console('dashboard')

    ui.go('policy')
    def policy_matches():
        rules = {r['name']: r['pkts'] for r in rest('GET', '/rules')[1]['rules']}
        rows = ui.els('#rules-table tbody tr[data-rule]')
        shown = {r.get_attribute('data-rule'): num(r.find_element(ui.By.CSS_SELECTOR, '.rule-pkts').text)
                 for r in rows}
        return shown if shown and shown == rules else None
    m = ui.wait(policy_matches, 10)
    check(m is not None, 'policy: %d rules in order, every counter equal to the API\'s' % len(m or {}))
    ui.shot('policy')
    ui.console('policy')

    ui.go('services')
    ui.wait(lambda: ui.els('[data-service="web"] [data-backend="web1"] .act-drain'))
    ui.el('[data-service="web"] [data-backend="web1"] .act-drain').click()
    ui.wait(lambda: ui.els('#confirm-text'))
    ui.shot('services-confirm')
    said = ui.confirm_dialog()
    check(said and 'web1' in said and 'no new ones' in said,
          'drain asks first, naming the effect: "%s"' % said)
    drained = ui.wait(lambda: rest('GET', '/services/web/backends/web1')[1]
                      .get('runtime', {}).get('admin') == 'drain', 10)
    check(drained, 'drained in the UI: REST reports web1 admin "drain"')
    ui.wait(lambda: 'drain' in (ui.text('[data-service="web"] [data-backend="web1"] .admin') or ''), 10)
    ui.shot('services')
    rest('POST', '/services/web/backends/web1', {'action': 'enable'})
    ui.console('services')

    # A long download (rate-limited) to filter for and kill.
    dl = subprocess.Popen(['ip', 'netns', 'exec', 'sk-client', 'curl', '-s', '-m', '60',
                           '--limit-rate', '100k', '-o', '/dev/null', 'http://10.10.0.11/big.bin'])
    try:
        ui.go('connections')
        ui.set_value('#f-dst', '10.10.0.11/32')
        ui.set_value('#f-port', '80')
        ui.el('#f-apply').click()
        q = '?dst=10.10.0.11/32&port=80'
        rows = ui.wait(lambda: (len(ui.els('#conn-table tbody tr')) >= 1 and
                                num(ui.text('#conn-total')) == rest('GET', '/connections/count' + q)[1]['count'])
                       and len(ui.els('#conn-table tbody tr')), 15)
        check(rows, 'connections filtered by destination and port: %s row(s), the count equal to '
              'the API\'s (%s)' % (rows, ui.text('#conn-total')))
        ui.shot('connections')
        ui.el('#kill').click()
        said = ui.confirm_dialog()
        msg = ui.wait(lambda: 'killed' in (ui.text('#conn-msg') or '') and ui.text('#conn-msg'), 10)
        check(said and 'Kill the' in said and 'dst 10.10.0.11/32, port 80' in said and msg and
              num(msg.split()[0]) >= 1, 'kill asks first ("%s"), then: %s' % (said, msg))
    finally:
        dl.kill()
        dl.wait()
    ui.console('connections')

    # Config: an error shown at its line.
    ui.go('config')
    ui.wait(lambda: ui.els('#candidate'))
    cur = running()
    lines = cur['text'].split('\n')
    at = next(i for i, l in enumerate(lines) if 'conn_max' in l)
    bad = lines[:]
    bad[at] = re.sub(r'conn_max\s*=\s*\d+', 'conn_max = "lots"', bad[at])
    ui.wait(lambda: ui.el('#candidate').get_attribute('value') == cur['text'], 5)
    ui.set_value('#candidate', '\n'.join(bad))
    ui.el('#cfg-validate').click()
    errs = ui.wait(lambda: ui.text('#cfg-errors'))
    marked = [e.get_attribute('data-line') for e in ui.els('.gutter span.err')]
    check(errs and ('candidate:%d' % (at + 1)) in errs and marked == [str(at + 1)],
          'a config error is shown at its line: "%s", line %s marked' % (errs, marked))
    ui.shot('config-error')
    # The refused candidate's 422 is the one error the browser may log here.
    ui.console('config (error)', allow=lambda e: 'status of 422' in e.get('message', ''))

    # A valid change: a rule that drops SSH from outside, committed.
    good = cur['text'].replace('    { name = "web-in";',
                               '    { name = "ssh-in-deny"; from = "outside"; to = "inside"; '
                               'proto = "tcp"; dport = [ "22" ]; action = "drop"; log = true; },\n'
                               '    { name = "web-in";', 1)
    ui.set_value('#candidate', good)
    ui.el('#cfg-diff').click()
    ui.wait(lambda: 'ssh-in-deny' in (ui.text('#cfg-difftext') or ''))
    ui.shot('config-diff')
    ui.el('#cfg-commit').click()
    said = ui.confirm_dialog()
    msg = ui.wait(lambda: (ui.text('#cfg-msg') or '').startswith('Committed') and ui.text('#cfg-msg'), 15)
    now = running()
    check(msg and now['generation'] == cur['generation'] + 1 and
          ('generation %d runs' % now['generation']) in msg and 'ssh-in-deny' in now['text'] and
          said and ('replacing generation %d' % cur['generation']) in said,
          'commit from the console: "%s"; REST runs generation %d' % (msg, now['generation']))
    shown = ui.wait(lambda: num(ui.text('#cfg-running')) == now['generation'], 5)
    check(shown, 'the page shows the new running generation %d' % now['generation'])
    ui.shot('config')

    # With confirmation: the banner, confirmed from the console.
    ui.set_value('#candidate', good + '\n# confirmed from the console\n')
    ui.el('#cfg-confirm').click()
    ui.el('#cfg-commit').click()
    ui.confirm_dialog()
    banner = ui.wait(lambda: ui.text('#confirm-banner'), 10)
    check(banner and 'rolls back' in banner, 'a commit with confirmation shows the banner: "%s"'
          % (banner or '').split('\n')[0])
    ui.shot('confirm-banner')
    ui.el('#confirm-commit').click()
    ui.confirm_dialog()
    st, pend = rest('GET', '/config/confirm')
    gone = ui.wait(lambda: not ui.els('#confirm-banner'), 10)
    check(pend.get('pending') is False and gone, 'confirmed from the banner: nothing pending')
    ui.console('config')

    ui.go('trace')
    ui.wait(lambda: ui.els('#t-from option'))
    ui.set_value('#t-from', 'zone:outside')
    ui.set_value('#t-src', '203.0.113.10')
    ui.set_value('#t-dst', '10.10.0.11')
    ui.set_value('#t-proto', 'tcp')
    ui.set_value('#t-dport', '22')
    ui.el('#t-run').click()
    dec = ui.wait(lambda: ui.text('#t-decision'))
    rule = ui.text('#t-rule')
    check(dec == 'drop' and rule and 'ssh-in-deny' in rule,
          'trace of an SSH packet from outside: %s by rule "%s"' % (dec, rule))
    ui.shot('trace')
    ui.console('trace')

    ui.go('logs')
    rows = ui.wait(lambda: len(ui.els('table.logs tbody tr')) or None)
    check(rows and 'commit' in ui.text('table.logs'), 'logs page: %s lines, commits among them' % rows)
    ui.shot('logs')
    ui.console('logs')

    # A narrow window: nothing wider than the viewport but the scrolled tables.
    d.set_window_size(420, 900)
    ui.go('dashboard')
    ui.wait(lambda: ui.text('#dash-generation'))
    time.sleep(1)
    over = d.execute_script('return document.documentElement.scrollWidth - window.innerWidth')
    check(over <= 0, 'usable in a 420 px window: no page-wide horizontal scroll (%d px)' % over)
    ui.shot('dashboard-narrow')
    d.set_window_size(1280, 800)
    ui.console('dashboard (narrow)')

    ui.el('#logout').click()
    check(ui.wait(lambda: ui.els('#token')) and
          d.execute_script('return sessionStorage.getItem("sekisho.token")') is None,
          'logout: back at the login form, the token gone from the tab')
    if ui.net_changed:
        note('%d request(s) aborted by the browser as ERR_NETWORK_CHANGED (host interfaces '
             'changed under it), retried by the console' % ui.net_changed)
    check(not ui.errors, 'no error in the browser console on any page',
          '\n'.join('%s: %s' % e for e in ui.errors))


def main():
    os.makedirs(SHOTS, exist_ok=True)
    t0 = time.time()
    test_confirm()
    note('confirm part took %.1f s' % (time.time() - t0))
    try:
        test_browser()
    except Exception as e:  # a crash is a failure with its story
        import traceback
        check(False, 'browser tests ran to the end', traceback.format_exc())
    print('1..%d' % n)
    note('screenshots: %s' % SHOTS)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
