import logging
import os
import re
import shlex
import sqlite3
import subprocess

import requests
from django.http import HttpResponse, HttpResponseRedirect
from flask import Flask, Markup, Response, jsonify, make_response, redirect, render_template_string, request, send_file, url_for
from markupsafe import escape

app = Flask(__name__)
logger = logging.getLogger(__name__)
ALLOWED_HOSTS = {"api.example.com"}
ALLOWED_TOOLS = ["ls", "df"]
ROOT = "/srv/files"


@app.route("/user")
def find_user():
    name = request.args.get("name")
    cur = sqlite3.connect("db").cursor()
    query = "SELECT * FROM users WHERE name = '" + name + "'"
    # ruleid: python-taint-sql-injection
    cur.execute(query)
    # ruleid: python-taint-sql-injection
    cur.execute("SELECT * FROM users WHERE name = '%s'" % name)
    # ok: python-taint-sql-injection
    cur.execute("SELECT * FROM users WHERE name = ?", (name,))
    # ok: python-taint-sql-injection
    cur.execute("SELECT * FROM users WHERE id = %d" % int(request.args["id"]))
    # ok: python-taint-sql-injection
    cur.execute("SELECT * FROM users")


def delete_rows(conn, table_suffix, ids):
    sql = "DELETE FROM log_{} WHERE id IN (?)".format(table_suffix)
    # ruleid: python-taint-sql-injection
    conn.execute(sql, ids)
    # ok: python-taint-sql-injection
    conn.execute("DELETE FROM log WHERE id = ?", ids)


def run_tool():
    tool = request.args["tool"]
    # ruleid: python-taint-program-from-request
    subprocess.run([tool, "--version"])
    # ruleid: python-taint-program-from-request
    os.execvp(request.form["program"], ["program"])
    # ok: python-taint-program-from-request
    subprocess.run(["git", "log", "--", request.args["path"]])
    # ok: python-taint-program-from-request
    subprocess.run([TOOLS[tool], "--version"])
    programs = {"lint": "ruff", "test": "pytest"}
    # ok: python-taint-program-from-request
    subprocess.run([programs[tool], "--version"])


def lambda_handler(event, context):
    # ruleid: python-taint-program-from-request
    os.spawnlp(os.P_WAIT, event["cmd"])
    # ok: python-taint-program-from-request
    os.spawnlp(os.P_WAIT, "uptime")


def run_program(program, args):
    # ok: python-taint-program-from-request
    return subprocess.run([program, *args])


def ping(host):
    # ruleid: python-taint-command-injection
    os.system("ping -c 1 " + host)
    # ok: python-taint-command-injection
    os.system("ping -c 1 " + shlex.quote(host))
    # ruleid: python-taint-command-injection
    subprocess.call("ping -c 1 %s" % host, shell=True)
    # ok: python-taint-command-injection
    subprocess.call(["ping", "-c", "1", host])
    # ok: python-taint-command-injection
    os.system("uptime")
    # ruleid: python-taint-command-injection
    subprocess.run(["bash", "-c", "ping -c 1 " + host], check=True)
    # ruleid: python-taint-command-injection
    argv = ("/bin/sh", "-c", f"traceroute {host}")
    subprocess.run(argv)
    # ruleid: python-taint-command-injection
    os.spawnl(os.P_WAIT, "/bin/sh", "sh", "-c", "ping -c 1 " + host)
    # ok: python-taint-command-injection
    os.spawnlp(os.P_WAIT, "ping", "ping", "-c", "1", host)
    # ruleid: python-taint-command-injection
    os.execl("/bin/bash", "bash", "-c", f"ping {host}")


async def ping_async(loop, host):
    # ruleid: python-taint-command-injection
    await asyncio.create_subprocess_shell("ping -c 1 " + host)
    # ruleid: python-taint-command-injection
    await loop.subprocess_shell(asyncio.SubprocessProtocol, f"ping -c 1 {host}")
    # ok: python-taint-command-injection
    await loop.subprocess_exec(asyncio.SubprocessProtocol, "ping", "-c", "1", host)
    # ok: python-taint-command-injection
    subprocess.run(["bash", "-c", "ping -c 1 " + shlex.quote(host)])
    # ok: python-taint-command-injection
    subprocess.run(["git", "-c", "core.pager=cat", "log", host])


@app.route("/tool")
def run_tool():
    tool = request.form["tool"]
    # ruleid: python-taint-command-injection
    out = subprocess.check_output(tool + " -h", shell=True)
    if tool in ALLOWED_TOOLS:
        # ok: python-taint-command-injection
        out = subprocess.check_output(tool + " -h", shell=True)
    # ruleid: python-xss-unescaped-html
    return out


def ping_known(host):
    if host not in ALLOWED_TOOLS:
        host = "localhost"
    # ok: python-taint-command-injection
    os.system("ping -c 1 " + host)


def ping_logged(host):
    if host not in ALLOWED_TOOLS:
        log.warning("unknown host %s", host)
    # ruleid: python-taint-command-injection
    os.system("ping -c 1 " + host)


def ping_other(host, fallback):
    if host not in ALLOWED_TOOLS:
        host = fallback
    # ruleid: python-taint-command-injection
    os.system("ping -c 1 " + host)


def calculate(expr):
    # ruleid: python-taint-code-injection
    return eval(expr)


@app.route("/calc")
def calc():
    import ast
    # ruleid: python-taint-code-injection
    result = str(eval(request.args.get("expr")))
    # ok: python-taint-code-injection
    result = str(ast.literal_eval(request.args.get("expr")))
    # ok: python-taint-code-injection
    exec("x = 1")
    # ruleid: python-xss-unescaped-html
    return result


@app.route("/download")
def download():
    name = request.args.get("file")
    # ruleid: python-taint-path-traversal
    return send_file(os.path.join(ROOT, name))


@app.route("/download2")
def download_basename():
    name = os.path.basename(request.args.get("file"))
    # ok: python-taint-path-traversal
    return send_file(os.path.join(ROOT, name))


@app.route("/download3")
def download_checked():
    path = os.path.realpath(os.path.join(ROOT, request.args.get("file")))
    if not path.startswith(ROOT + os.sep):
        return "forbidden", 403
    # ok: python-taint-path-traversal
    return send_file(path)


def read_report(report_name):
    # ruleid: python-taint-path-traversal
    with open("/var/reports/" + report_name) as fh:
        return fh.read()


@app.route("/hello")
def hello():
    name = request.args.get("name", "")
    # ruleid: python-taint-xss, python-xss-unescaped-html
    page = render_template_string("<h1>Hello " + name + "</h1>")
    # ok: python-taint-xss
    page = render_template_string("<h1>Hello {{ name }}</h1>", name=name)
    # ruleid: python-taint-xss, python-xss-unescaped-html
    banner = Markup("<b>%s</b>" % name)
    # ok: python-taint-xss
    banner = Markup("<b>%s</b>" % escape(name))
    return page + banner


@app.route("/greet/<name>")
def greet(name):
    if not name.isalnum():
        # ruleid: python-taint-xss
        return f"No user called {name}", 404
    # ok: python-taint-xss
    return "Hello " + escape(name)


@app.get("/watch/<uuid>")
def watch(uuid):
    # ok: python-taint-xss
    return Response(f"Watch {uuid} not found", status=404, mimetype="text/plain")


def greeting_text(name):
    # ok: python-taint-xss
    return f"Hello {name}"


def django_view(request):
    # ruleid: python-taint-xss, python-xss-unescaped-html
    return HttpResponse("<p>" + request.GET["q"] + "</p>")


def django_view_escaped(request):
    from django.utils.html import escape as django_escape
    # ok: python-taint-xss
    return HttpResponse("<p>" + django_escape(request.GET["q"]) + "</p>")


def django_bad_request(request):
    from django.http import HttpResponseBadRequest, HttpResponseNotFound
    if "id" not in request.GET:
        # ruleid: python-taint-xss, python-xss-unescaped-html
        return HttpResponseBadRequest("Received {}".format(request.POST.get("message")))
    # ruleid: python-taint-xss, python-xss-unescaped-html
    return django.http.HttpResponseNotFound("No item " + request.GET["id"])


@app.route("/themed")
def themed(theme):
    render_kwargs = {"theme": theme, "next": request.args.get("next")}
    # ok: python-taint-xss
    response = make_response(render_template("login.jinja2", **render_kwargs))
    # ruleid: python-taint-xss, python-xss-unescaped-html
    raw = make_response("<p>" + render_kwargs["next"] + "</p>")
    # ruleid: python-xss-unescaped-html
    return response, raw


@app.route("/login")
def login():
    target = request.args.get("next")
    # ruleid: python-taint-open-redirect
    return redirect(target)


@app.route("/login2")
def login_checked():
    target = request.args.get("next")
    if target in ALLOWED_HOSTS:
        # ok: python-taint-open-redirect
        return redirect(target)
    # ok: python-taint-open-redirect
    return redirect(url_for("index"))


def django_login(request, next_url):
    # ok: python-taint-open-redirect
    HttpResponseRedirect(next_url)
    # ok: python-xss-unescaped-html
    # ruleid: python-taint-open-redirect
    return HttpResponseRedirect(request.GET.get("next"))


@app.route("/fetch")
def fetch():
    url = request.args["url"]
    # ruleid: python-taint-ssrf
    body = requests.get(url).text
    from urllib.parse import urlparse
    if urlparse(url).hostname in ALLOWED_HOSTS:
        # ok: python-taint-ssrf
        body = requests.get(url).text
    # ruleid: python-xss-unescaped-html
    return body


def fetch_configured(url):
    # ok: python-taint-ssrf
    return requests.get(url, timeout=5).text


@app.route("/download4")
def download_helper_checked():
    path = os.path.join(ROOT, request.args.get("file"))
    if not is_path_inside(ROOT, path):
        return "forbidden", 403
    # ok: python-taint-path-traversal
    return send_file(path)


@app.route("/fetch2")
def fetch_parsed():
    from urllib.parse import urlparse
    url = request.args["url"]
    parts = urlparse(url)
    # ruleid: python-taint-ssrf
    probe = requests.head(url)
    if parts.hostname not in ALLOWED_HOSTS:
        return "host not allowed", 400
    # ok: python-taint-ssrf
    # ruleid: python-xss-unescaped-html
    return requests.get(url).text + str(probe.status_code)


@app.route("/next2")
def next_parsed():
    from urllib.parse import urlparse
    target = request.args.get("next", "/")
    parts = urlparse(target)
    if parts.netloc in ALLOWED_HOSTS:
        # ok: python-taint-open-redirect
        return redirect(target)
    # ruleid: python-taint-open-redirect
    return redirect(target)


def calc_taint(expr):
    # ruleid: python-taint-code-injection
    return str(eval(expr))


def calc_taint_allow_listed(expr):
    if not all(c in "0123456789+-*/(). " for c in expr):
        raise ValueError(expr)
    # ok: python-taint-code-injection
    return str(eval(expr, {"__builtins__": {}}))


def calc_taint_set(expr):
    if not set(expr).issubset(ARITHMETIC_CHARACTERS):
        raise ValueError(expr)
    # ok: python-taint-code-injection
    return eval(expr)

def read_under(base, name):
    # ok: python-taint-path-traversal
    return open(os.path.join(base, os.path.basename(name))).read()


@app.route("/people")
def people():
    uid = request.args.get("uid", "")
    # ruleid: python-taint-ldap-injection
    conn.search("ou=people,dc=example,dc=org", f"(&(objectClass=person)(uid={uid}))", attributes=["cn"])
    # ok: python-taint-ldap-injection
    conn.search("ou=people,dc=example,dc=org", f"(uid={escape_filter_chars(uid)})")
    # ruleid: python-taint-ldap-injection, python-xss-unescaped-html
    return ldap_client.search_s("dc=example,dc=org", ldap.SCOPE_SUBTREE, "(uid=%s)" % uid)


@app.route("/employee")
def employee():
    emplid = request.form["emplid"]
    root = lxml.etree.parse(EMPLOYEES)
    # ruleid: python-taint-xpath-injection
    found = root.xpath(f"/Employees/Employee[@emplid='{emplid}']")
    # ok: python-taint-xpath-injection
    found += root.xpath("/Employees/Employee[@emplid=$id]", id=emplid)
    # ruleid: python-taint-xpath-injection
    found += lxml.etree.XPath("//Employee[@name='" + emplid + "']")(root)
    quoted = emplid.replace("'", "&apos;")
    # ok: python-taint-xpath-injection
    found += root.xpath(f"/Employees/Employee[@emplid='{quoted}']")
    # ok: python-taint-xpath-injection
    position = emplid.find("-")
    # ok: python-xss-unescaped-html
    return str(len(found) + position)


@app.route("/remember", methods=["POST"])
def remember_me():
    key = str(random.random())
    response = make_response("remembered")
    # ruleid: python-taint-predictable-secret
    response.set_cookie("rememberMe", key, secure=True)
    # ruleid: python-taint-predictable-secret
    session["rememberMe"] = random.getrandbits(64)
    # ok: python-taint-predictable-secret
    session["rememberMe"] = secrets.token_hex(16)
    # ok: python-taint-predictable-secret
    session["dice"] = secrets.randbelow(6)
    # ok: python-taint-predictable-secret
    cache["sample"] = random.random()
    return response


@app.route("/download")
def download_decoded():
    name = urllib.parse.unquote_plus(request.args.get("name", ""))
    # ruleid: python-taint-path-traversal, python-xss-unescaped-html
    return open(os.path.join("/srv/files", name)).read()


@app.route("/report")
def report():
    clauses = ["SELECT name FROM users WHERE"]
    clauses.append("team = '%s'" % request.args.get("team"))
    # ruleid: python-taint-sql-injection
    cursor.execute(" ".join(clauses))
    fixed = ["SELECT name FROM users WHERE"]
    fixed.append("team = ?")
    # ok: python-taint-sql-injection
    cursor.execute(" ".join(fixed), (request.args.get("team"),))
    text = io.StringIO()
    # ruleid: python-xss-unescaped-html
    text.write(request.args.get("title"))
    # ruleid: python-taint-xss
    return Markup(text.getvalue())

import traceback  # noqa: E402



@app.route("/run")
def run():
    try:
        return jsonify(result=work())
    except Exception as exc:
        # ruleid: python-taint-exception-exposed
        return jsonify(error=str(exc)), 500


@app.route("/trace")
def trace():
    try:
        return work()
    except Exception:
        # ruleid: python-taint-exception-exposed
        return traceback.format_exc(), 500


@app.route("/safe")
def safe():
    try:
        return jsonify(result=work())
    except Exception as exc:
        app.logger.exception(exc)
        # ok: python-taint-exception-exposed
        return jsonify(error="internal error"), 500


@app.route("/kind")
def kind():
    try:
        return jsonify(result=work())
    except Exception as exc:
        # ok: python-taint-exception-exposed
        return jsonify(error=type(exc).__name__), 500


@app.route("/query")
def query():
    try:
        return jsonify(rows=run_query(request.args["q"]))
    except sqlite3.OperationalError as exc:
        # ruleid: python-taint-exception-exposed
        return jsonify(error=str(exc)), 500


@app.post("/validate")
def validate():
    try:
        value = int(request.args["n"])
    except ValueError as exc:
        # ok: python-taint-exception-exposed
        return {"error": str(exc)}, 400
    return {"n": value}


def django_view(request):
    try:
        return JsonResponse(work())
    except Exception as e:
        # ruleid: python-taint-exception-exposed
        return JsonResponse({"error": f"failed: {e}"}, status=500)


# a command-line program: what its user types goes to a command or a query, and names a file to open
import sys  # noqa: E402

user_name = input("name: ")
# ruleid: python-taint-command-injection
os.system("finger " + user_name)
# ruleid: python-taint-sql-injection
sqlite3.connect("users.db").execute("SELECT * FROM users WHERE name = '%s'" % sys.argv[1])
# ok: python-taint-path-traversal
report = open(input("report file: ")).read()
# ok: python-taint-command-injection
subprocess.run(["finger", user_name])


@app.route("/next3")
def next_parsed_in_try():
    import urllib.parse
    target = request.args.get("next", "/")
    # ruleid: python-taint-open-redirect
    probe = redirect(target)
    try:
        url = urllib.parse.urlparse(target)
        if url.netloc not in ["example.org"] or url.scheme != "https":
            return "Invalid URL."
    except ValueError:
        return "Error parsing URL."
    # ok: python-taint-open-redirect
    return redirect(target) or probe


@app.route("/echo-header")
def echo_in_header():
    name = request.form["name"]
    # ok: python-taint-xss
    headed = make_response(("stored in a header", {"X-Name": name}))
    # ruleid: python-taint-xss, python-xss-unescaped-html
    return make_response(("<p>" + name + "</p>", 200, {"X-Name": name})) or headed


@app.route("/dead-branch")
def dead_branch():
    param = request.args.get("name", "")
    num = 106
    never = "constant" if 7 * 18 + num > 200 else param
    # ok: python-taint-sql-injection
    cursor.execute("SELECT * FROM t WHERE name = '%s'" % never)
    taken = "constant" if (7 * 42) - num > 200 else param
    # ruleid: python-taint-sql-injection
    cursor.execute("SELECT * FROM t WHERE name = '%s'" % taken)
    if 7 * 42 - num > 200:
        bar = "constant"
    else:
        bar = param
    # ruleid: python-taint-sql-injection
    cursor.execute("SELECT * FROM t WHERE name = '%s'" % bar)
    other = 86
    if 7 * 42 - other > 200:
        safe = "constant"
    else:
        safe = param
    # ok: python-taint-sql-injection
    cursor.execute("SELECT * FROM t WHERE name = '%s'" % safe)


@app.route("/hello")
def hello():
    name = request.args.get("name")
    # ruleid: python-xss-unescaped-html
    return "<h1>Hello " + name + "</h1>"


@app.route("/hello-escaped")
def hello_escaped():
    name = request.args.get("name")
    # ok: python-xss-unescaped-html
    return "<h1>Hello " + escape(name) + "</h1>"


@app.route("/hello-helper")
def hello_helper():
    name = request.args.get("name")
    # ok: python-xss-unescaped-html
    return "<h1>Hello " + helpers.utils.escape_for_html(name) + "</h1>"


@app.route("/hello-template")
def hello_template():
    # ok: python-xss-unescaped-html
    return render_template_string("<h1>Hello {{ name }}</h1>", name=request.args.get("name"))


@app.route("/hello-template-built")
def hello_template_built():
    # ruleid: python-xss-unescaped-html, python-taint-xss
    return render_template_string("<h1>Hello " + request.args.get("name") + "</h1>")


@app.route("/download-basename")
def download_basename():
    name = request.args.get("name")
    # ok: python-xss-unescaped-html
    return send_file(os.path.join("/srv/files", os.path.basename(name)))


@app.route("/hello-header")
def hello_header():
    name = request.args.get("name")
    response = make_response(("Hello", {"X-Name": name}))
    # ok: python-xss-unescaped-html
    return response


@app.route("/hello-header-body")
def hello_header_body():
    name = request.args.get("name")
    # ruleid: python-xss-unescaped-html, python-taint-xss
    response = make_response((name, 200, {"X-Name": name}))
    # ruleid: python-xss-unescaped-html
    return response


@app.route("/go")
def go():
    # ok: python-xss-unescaped-html
    # ruleid: python-taint-open-redirect
    return flask.redirect(request.args.get("next"))


@app.route("/dead-branch-page")
def dead_branch_page():
    num = 106
    never = "constant" if 7 * 18 + num > 200 else request.args.get("name")
    taken = "constant" if 7 * 18 + num > 300 else request.args.get("name")
    # ok: python-xss-unescaped-html
    first = make_response(never)
    # ruleid: python-xss-unescaped-html, python-taint-xss
    return make_response(taken) or first


@app.route("/api/echo")
def echo_json():
    name = request.args.get("name")
    if not name:
        # ok: python-xss-unescaped-html
        return {"error": "no name", "given": request.args.get("name")}, 400
    # ok: python-xss-unescaped-html
    return {"name": name}


def next_page_from(request):
    # ok: python-xss-unescaped-html
    return request.args.get("next", "/")


def greeting_fragment(request):
    name = request.args.get("name", "")
    if not name:
        # ok: python-xss-unescaped-html
        return name
    # ruleid: python-xss-unescaped-html
    return f"<span class='user'>{name}</span>"


@app.route("/search-count")
def search_count():
    terms = request.args.getlist("q")
    if len(terms) != 1:
        # ok: python-xss-unescaped-html
        return str(len(terms)) + " results"
    # ruleid: python-xss-unescaped-html
    return str(len(terms)) + " results for " + terms[0]


COMMANDS = {"uptime": "uptime", "disk": "df -h"}
PAGES = {"about": "about.html", "help": "help.html"}


@app.route("/run-listed")
def run_listed():
    # ok: python-taint-command-injection
    subprocess.call(COMMANDS[request.args["c"]], shell=True)
    # ok: python-taint-path-traversal
    page = open(os.path.join("/srv/pages", PAGES.get(request.args["p"], "about.html"))).read()
    # ruleid: python-taint-command-injection
    subprocess.call("echo " + request.args["c"], shell=True)
    # ok: python-xss-unescaped-html
    return PAGES[request.args["p"]] + page


@app.route("/go")
def go_to_the_one_target():
    target = request.args.get("target", "")
    if target == HOME_URL:
        # ok: python-taint-open-redirect
        return redirect(target, code=302)
    if target != HELP_URL:
        # ruleid: python-taint-open-redirect
        return redirect(target)
    # ok: python-taint-open-redirect
    return redirect(target)


@app.route("/tool")
def run_listed_tool():
    tool = request.args.get("tool", "")
    if tool not in ALLOWED_TOOLS:
        # ruleid: python-taint-command-injection
        os.system("echo unknown tool " + tool)
        return "unknown"
    # ok: python-taint-command-injection
    os.system("run " + tool)
    return "ran"


@app.route("/api/run", methods=["POST"])
def run_from_json():
    job = request.get_json()
    # ruleid: python-taint-command-injection
    os.system("run " + job["name"])
    return "ok"


@app.route("/next")
def next_on_our_domain():
    target = request.args.get("target", "")
    if "example.com" in target:
        # ruleid: python-taint-open-redirect
        return redirect(target)
    host = urlparse(target).hostname
    if host and host.endswith(".example.com"):
        # ok: python-taint-open-redirect
        return redirect(target)
    if host and host.endswith("example.com"):
        # ruleid: python-taint-open-redirect
        return redirect(target)
    if host in ALLOWED_HOSTS:
        # ok: python-taint-open-redirect
        return redirect(target)
    return redirect("/")


@app.route("/greet")
def greet_if_given():
    name = request.args.get("name", "")
    if name != "":
        # ruleid: python-taint-command-injection
        os.system("greet " + name)
    if name not in ALLOWED_TOOLS:
        return "unknown"
    if name != "":
        # ok: python-taint-command-injection
        os.system("greet " + name)
    return "ok"


@app.route("/poll")
def show_poll():
    poll_id = request.args.get("id")
    db = sqlite3.connect("db").cursor()
    if poll_id == DEFAULT_POLL:
        # ok: python-taint-sql-injection
        db.execute("SELECT question FROM polls WHERE id = '{}'".format(poll_id))
    else:
        # ruleid: python-taint-sql-injection
        db.execute("SELECT question FROM polls WHERE id = '{}'".format(poll_id))


@app.route("/tool/else")
def run_tool_or_say_why():
    tool = request.args.get("tool", "")
    if tool in ALLOWED_TOOLS:
        # ok: python-taint-command-injection
        os.system("run " + tool)
    else:
        # ruleid: python-taint-command-injection
        os.system("echo no such tool: " + tool)
    if ".." in tool:
        # ruleid: python-taint-command-injection
        os.system("echo climbing " + tool)
        return "no"
    return "ok"


@app.route("/login/failed")
def log_failed_login():
    user = request.form["user"]
    # ruleid: python-taint-log-injection
    app.logger.info("failed login for %s", user)
    # ok: python-taint-log-injection
    app.logger.warning("rejected login for %s", user)
    # ruleid: python-taint-log-injection
    logging.info(f"failed login for {request.args.get('user')}")
    # ok: python-taint-log-injection
    app.logger.info("failed login for %s", user.replace("\r", "").replace("\n", ""))
    # ok: python-taint-log-injection
    logger.info("failed login for %s", repr(user))
    clean = re.sub(r"[\r\n]", "", user)
    # ok: python-taint-log-injection
    logger.info("failed login for " + clean)
    # ok: python-taint-log-injection
    logger.info("failed login from %s", request.remote_addr)
    # ok: python-taint-log-injection
    print("failed login for", user)
    return "no"


def log_own_argument(name):
    # ok: python-taint-log-injection
    logging.info("processing %s", name)


@app.route("/providers", methods=["POST"])
def toggle_provider():
    wanted = request.get_json()
    # ok: python-taint-xss
    return make_response(jsonify({"active": wanted["id"]}))


@app.route("/providers/page", methods=["POST"])
def provider_page():
    wanted = request.get_json()
    # ruleid: python-taint-xss
    return make_response("<p>active: %s</p>" % wanted["id"])


# a URL check cleans only where it held: a passed check its own branch (not the else), a failed
# check what follows it (not its own branch)
@app.route("/next4")
def next_parsed_else():
    target = request.args.get("next", "/")
    parts = urlparse(target)
    if parts.netloc in ALLOWED_HOSTS:
        # ok: python-taint-open-redirect
        return redirect(target)
    else:
        # ruleid: python-taint-open-redirect
        return redirect(target)


@app.route("/fetch3")
def fetch_parsed_refused():
    url = request.args["url"]
    parts = urlparse(url)
    if not parts.hostname in ALLOWED_HOSTS:
        # ruleid: python-taint-ssrf
        requests.get(url)
    if parts.hostname not in ALLOWED_HOSTS:
        # ruleid: python-taint-ssrf
        requests.get(url)
        return "host not allowed", 400
    # ok: python-taint-ssrf
    requests.get(url)
    return "fetched"


@app.route("/fetch4")
def fetch_inline_refused():
    url = request.args["url"]
    if not urlparse(url).hostname in ALLOWED_HOSTS:
        # ruleid: python-taint-ssrf
        requests.get(url)
    if urlparse(url).hostname not in ALLOWED_HOSTS:
        # ruleid: python-taint-ssrf
        requests.get(url)
        return "host not allowed", 400
    # ok: python-taint-ssrf
    requests.get(url)
    return "fetched"


@app.route("/next5")
def next_parsed_in_try_refused():
    target = request.args.get("next", "/")
    try:
        url = urllib.parse.urlparse(target)
        if url.netloc not in ["example.org"]:
            # ruleid: python-taint-open-redirect
            redirect(target)
            return "Invalid URL."
    except ValueError:
        # ruleid: python-taint-open-redirect
        redirect(target)
        return "Error parsing URL."
    # ok: python-taint-open-redirect
    return redirect(target)


@app.route("/next6")
def next_host_checked():
    target = request.args.get("target", "")
    host = urlparse(target).hostname
    if host in ALLOWED_HOSTS:
        # ok: python-taint-open-redirect
        redirect(target)
    else:
        # ruleid: python-taint-open-redirect
        redirect(target)
    if host == "example.com":
        # ok: python-taint-open-redirect
        redirect(target)
    elif host:
        # ruleid: python-taint-open-redirect
        redirect(target)
    if host and host.endswith(".example.com"):
        # ok: python-taint-open-redirect
        redirect(target)
    else:
        # ruleid: python-taint-open-redirect
        redirect(target)
    if not host == "example.com":
        # ruleid: python-taint-open-redirect
        redirect(target)
    if not host.endswith(".example.com"):
        # ruleid: python-taint-open-redirect
        redirect(target)
    if not host in ALLOWED_HOSTS:
        # ruleid: python-taint-open-redirect
        redirect(target)
    if host not in ALLOWED_HOSTS:
        # ruleid: python-taint-open-redirect
        redirect(target)
        return "unknown host"
    # ok: python-taint-open-redirect
    return redirect(target)


@app.route("/go2")
def go_not_home():
    target = request.args.get("target", "")
    if not target == HOME_URL:
        # ruleid: python-taint-open-redirect
        redirect(target)
    return "ok"


@app.route("/calc2")
def calc_refused():
    expr = request.args.get("expr", "")
    if not all(c in "0123456789+-*/(). " for c in expr):
        # ruleid: python-taint-code-injection
        eval(expr)
        raise ValueError("not arithmetic")
    # ok: python-taint-code-injection
    eval(expr)
    return "ok"


@app.route("/calc3")
def calc_refused_set():
    expr = request.args.get("expr", "")
    if not set(expr).issubset(ARITHMETIC_CHARACTERS):
        # ruleid: python-taint-code-injection
        eval(expr)
        raise ValueError("not arithmetic")
    # ok: python-taint-code-injection
    eval(expr)
    return "ok"


@app.route("/download5")
def download_helper_refused():
    path = os.path.join(ROOT, request.args.get("file"))
    if not is_path_inside(ROOT, path):
        # ruleid: python-taint-path-traversal
        os.remove(path)
        return "forbidden", 403
    # ok: python-taint-path-traversal
    os.remove(path)
    return "removed"


@app.route("/download6")
def download_method_refused():
    path = os.path.join(ROOT, request.args.get("file"))
    if not paths.is_within(ROOT, path):
        # ruleid: python-taint-path-traversal
        os.remove(path)
        return "forbidden", 403
    # ok: python-taint-path-traversal
    os.remove(path)
    return "removed"


# a check that failed cleans what follows it only when its branch leaves (return, raise, abort,
# exit, continue, break), and it cleans its else: there the check passed
@app.route("/tool/logged")
def run_tool_refusal_only_logged():
    tool = request.args.get("tool", "")
    if tool not in ALLOWED_TOOLS:
        logging.warning("unknown tool")
    # ruleid: python-taint-command-injection
    os.system("run " + tool)
    if tool not in ALLOWED_TOOLS:
        return "unknown tool", 400
    else:
        # ok: python-taint-command-injection
        os.system("run " + tool)
    return "ran"


# a branch that ends in an if/else whose branches both leave leaves; one whose else falls through does not
@app.route("/tool/quiet")
def run_tool_refused_quietly_or_loudly():
    tool = request.args.get("tool", "")
    if tool not in ALLOWED_TOOLS:
        logging.warning("unknown tool")
        if request.args.get("quiet"):
            return "", 204
        else:
            abort(400)
    # ok: python-taint-command-injection
    os.system("run " + tool)
    return "ran"


@app.route("/tool/lenient")
def run_tool_refused_unless_lenient():
    tool = request.args.get("tool", "")
    if tool not in ALLOWED_TOOLS:
        if request.args.get("strict"):
            return "unknown tool", 400
        else:
            logging.warning("unknown tool")
    # ruleid: python-taint-command-injection
    os.system("run " + tool)
    return "ran"


@app.route("/tools/batch")
def run_listed_tools():
    for tool in request.args.getlist("tool"):
        if tool not in ALLOWED_TOOLS:
            continue
        # ok: python-taint-command-injection
        os.system("run " + tool)
    for tool in request.args.getlist("tool"):
        if tool not in ALLOWED_TOOLS:
            skipped = True
        # ruleid: python-taint-command-injection
        os.system("run " + tool)
    return "ran"


@app.route("/tool/pattern")
def run_tool_by_pattern():
    tool = request.args.get("tool", "")
    if not re.fullmatch(r"[a-z]+", tool):
        bad_request = True
    else:
        # ok: python-taint-command-injection
        subprocess.call("run " + tool, shell=True)
    # ruleid: python-taint-command-injection
    subprocess.call("run " + tool, shell=True)
    return "ran"


@app.route("/download7")
def download_helper_refusal_only_logged():
    path = os.path.join(ROOT, request.args.get("file"))
    if not is_path_inside(ROOT, path):
        app.logger.warning("outside the root")
    # ruleid: python-taint-path-traversal
    os.remove(path)
    if not is_path_inside(ROOT, path):
        abort(403)
    else:
        # ok: python-taint-path-traversal
        os.remove(path)
    return "removed"


@app.route("/download8")
def download_prefix_checked_else():
    path = os.path.realpath(os.path.join(ROOT, request.args.get("file")))
    if not path.startswith(ROOT + os.sep):
        response = Response("forbidden", status=403)
    else:
        # ok: python-taint-path-traversal
        response = send_file(path)
    # ruleid: python-taint-path-traversal
    os.remove(path)
    if ".." in path:
        if app.debug:
            return "climbing", 403
    # ruleid: python-taint-path-traversal
    return send_file(path)


@app.route("/fetch5")
def fetch_parsed_refusal_only_logged():
    url = request.args["url"]
    parts = urlparse(url)
    if parts.hostname not in ALLOWED_HOSTS:
        app.logger.warning("unknown host")
    # ruleid: python-taint-ssrf
    requests.get(url)
    if urlparse(url).hostname not in ALLOWED_HOSTS:
        return "host not allowed", 400
    else:
        # ok: python-taint-ssrf
        requests.get(url)
    return "fetched"


@app.route("/next7")
def next_host_refused_else():
    target = request.args.get("next", "/")
    host = urlparse(target).hostname
    if host not in ALLOWED_HOSTS:
        target_ok = False
    else:
        # ok: python-taint-open-redirect
        return redirect(target)
    # ruleid: python-taint-open-redirect
    return redirect(target)


@app.route("/next8")
def next_parsed_in_try_error_ignored():
    target = request.args.get("next", "/")
    try:
        url = urllib.parse.urlparse(target)
        if url.netloc not in ["example.org"]:
            return "Invalid URL."
    except ValueError:
        app.logger.warning("unparsable URL")
    # ruleid: python-taint-open-redirect
    return redirect(target)


@app.route("/go3")
def go_home_or_not():
    target = request.args.get("target", "")
    if target != HOME_URL:
        app.logger.warning("not home")
    # ruleid: python-taint-open-redirect
    redirect(target)
    if target != HOME_URL:
        return "no", 400
    else:
        # ok: python-taint-open-redirect
        return redirect(target)


@app.route("/calc4")
def calc_refusal_only_logged():
    expr = request.args.get("expr", "")
    if not set(expr).issubset(ARITHMETIC_CHARACTERS):
        app.logger.warning("not arithmetic")
    # ruleid: python-taint-code-injection
    eval(expr)
    if not all(c in "0123456789+-*/(). " for c in expr):
        raise ValueError("not arithmetic")
    else:
        # ok: python-taint-code-injection
        eval(expr)
    return "ok"


# A request field as the name of the attribute set or the method called
PROFILE_FIELDS = {"name", "email"}


def update_profile(user):
    for key, value in request.json.items():
        # ruleid: python-taint-attribute-from-input
        setattr(user, key, value)
    return jsonify(ok=True)


def update_profile_allowed(user):
    for key, value in request.json.items():
        if key in PROFILE_FIELDS:
            # ok: python-taint-attribute-from-input
            setattr(user, key, value)
    return jsonify(ok=True)


def update_profile_skip(user):
    data = request.get_json()
    for key in data:
        if key not in PROFILE_FIELDS:
            continue
        # ok: python-taint-attribute-from-input
        setattr(user, key, data[key])


def update_profile_hasattr(user):
    data = request.get_json()
    for key in data:
        if hasattr(user, key):
            # ruleid: python-taint-attribute-from-input
            setattr(user, key, data[key])


def set_one(user):
    field = request.form["field"]
    # ruleid: python-taint-attribute-from-input
    setattr(user, field, request.form["value"])
    # ok: python-taint-attribute-from-input
    setattr(user, "nickname", request.form["value"])


def dispatch(handler):
    action = request.args.get("action")
    # ruleid: python-taint-attribute-from-input
    return getattr(handler, action)()


def dispatch_prefixed(handler):
    action = request.args.get("action")
    # ok: python-taint-attribute-from-input
    return getattr(handler, "do_" + action)()


def dispatch_fstring(handler):
    action = request.args.get("action")
    # ok: python-taint-attribute-from-input
    return getattr(handler, f"do_{action}")()


def read_attr(obj):
    # ok: python-taint-attribute-from-input
    return jsonify(value=str(getattr(obj, request.args["attr"], None)))


def helper(obj, name, value):
    # ok: python-taint-attribute-from-input
    setattr(obj, name, value)


@app.route("/find")
def find_items():
    term = request.args.get("q", "")
    # ruleid: python-taint-regex-injection
    pattern = re.compile("^" + term, re.I)
    # ruleid: python-taint-regex-injection
    hits = [n for n in NAMES if re.search(request.args["pattern"], n)]
    # ok: python-taint-regex-injection
    escaped = re.compile("^" + re.escape(term), re.I)
    # ok: python-taint-regex-injection
    plain = [n for n in NAMES if term in n]
    return jsonify(pattern=pattern.pattern, hits=hits, escaped=escaped.pattern, plain=plain)


def users_named(session, name, order):
    # ruleid: python-taint-sql-injection
    rows = session.query(User).filter("name = '%s'" % name).all()
    # ruleid: python-taint-sql-injection
    rows += session.query(User).order_by(f"{order} DESC").all()
    # ok: python-taint-sql-injection
    rows += session.query(User).filter(User.name == name).all()
    # ok: python-taint-sql-injection
    rows += session.query(User).filter(text("name = :name")).params(name=name).all()
    return rows
