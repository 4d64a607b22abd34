import hashlib
import html
import os
import pickle
import random
import re
import secrets
import shlex
import ssl
import subprocess
import tempfile

import requests
import yaml
from flask import Flask, request, make_response
from markupsafe import Markup, escape
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from Cryptodome.Cipher import AES as AESX, DES as DESX
from Cryptodome.Hash import SHA as SHA1X, SHA256 as SHA256X


def sql(cursor, name, user_id):
    # ruleid: python-sql-built-by-formatting, python-sql-value-spliced
    cursor.execute("SELECT * FROM users WHERE name = '%s'" % name)
    # ok: python-sql-built-by-formatting, python-sql-value-spliced
    print("SELECT * FROM users WHERE name = '%s'" % name)
    # ok: python-sql-built-by-formatting, python-sql-value-spliced
    logging.debug(f"DELETE FROM users WHERE id = {user_id}")
    # ruleid: python-sql-built-by-formatting, python-sql-value-spliced
    cursor.execute("DELETE FROM users WHERE id = " + str(user_id))
    # ruleid: python-sql-built-by-formatting, python-sql-value-spliced
    query = f"UPDATE users SET name = '{name}' WHERE id = 1"
    # ruleid: python-sql-built-by-formatting, python-sql-value-spliced
    cursor.execute("INSERT INTO log VALUES ({})".format(name))
    # ok: python-sql-built-by-formatting
    cursor.execute("SELECT * FROM users WHERE name = %s", (name,))
    # ok: python-sql-built-by-formatting
    cursor.execute(f"SELECT * FROM users WHERE id = %s", (user_id,))
    # ok: python-sql-built-by-formatting
    message = "selected %d rows from the table" % 3
    # ok: python-sql-built-by-formatting, python-sql-value-spliced
    cursor.execute("SELECT name FROM users " + "WHERE id = %s", (user_id,))
    return query, message


def commands(host, path):
    # ruleid: python-os-command-nonliteral
    os.system("ping -c 1 " + host)
    # ruleid: python-os-command-nonliteral
    subprocess.call(f"ls {path}", shell=True)
    # ok: python-os-command-nonliteral
    os.system("ls -l")
    # ok: python-os-command-nonliteral
    subprocess.run(["ls", path])
    # ok: python-os-command-nonliteral
    os.system(shlex.quote(path))
    # ruleid: python-shell-command-built-by-formatting
    ssh_cmd = "svctask mkhost -name %s" % host
    # ruleid: python-shell-command-built-by-formatting
    self_run_ssh = run_ssh("svcinfo lshost %s" % host)
    # ok: python-shell-command-built-by-formatting
    ssh_cmd_list = ["svctask", "mkhost", "-name", host]
    # ok: python-shell-command-built-by-formatting
    label = "host %s" % host
    return ssh_cmd, self_run_ssh, ssh_cmd_list, label


def run_ssh(command):
    return command


def evaluation(expr):
    # ruleid: python-code-eval-nonliteral
    value = eval(expr)
    # ok: python-code-eval-nonliteral
    constant = eval("1 + 2")
    return value, constant


def deserialization(blob, text):
    # ruleid: python-unsafe-deserialization
    obj = pickle.loads(blob)
    # ruleid: python-unsafe-deserialization
    config = yaml.load(text)
    # ok: python-unsafe-deserialization
    safe = yaml.load(text, Loader=yaml.SafeLoader)
    # ok: python-unsafe-deserialization
    safer = yaml.safe_load(text)
    return obj, config, safe, safer


def signed_session(secret, header, body):
    if not hmac.compare_digest(header, hmac.new(secret, body, "sha256").hexdigest()):
        return None
    # ok: python-unsafe-deserialization
    return pickle.loads(body)


def signed_cookie(secret, signature, blob):
    if hmac.compare_digest(signature, sign(secret, blob)):
        # ok: python-unsafe-deserialization
        return pickle.loads(blob)
    # ruleid: python-unsafe-deserialization
    return pickle.loads(blob)


def crypto(data):
    # ruleid: python-weak-hash
    weak = hashlib.md5(data).hexdigest()
    # ok: python-weak-hash
    strong = hashlib.sha256(data).hexdigest()
    # ok: python-weak-hash
    checksum = hashlib.md5(data, usedforsecurity=False).hexdigest()
    # ruleid: python-weak-hash
    digest = hashes.Hash(hashes.SHA1())
    # ok: python-weak-hash
    digest = hashes.Hash(hashes.SHA256())
    # ruleid: python-weak-cipher
    cipher = Crypto.Cipher.DES.new(b"12345678")
    # ruleid: python-weak-cipher
    triple = Crypto.Cipher.DES3.new(b"k" * 24, Crypto.Cipher.DES3.MODE_CBC)
    # ok: python-weak-cipher
    aes = Crypto.Cipher.AES.new(b"k" * 16, Crypto.Cipher.AES.MODE_GCM)
    # ruleid: python-weak-cipher
    idea = Cipher(algorithms.IDEA(data), mode=None)
    # ok: python-weak-cipher
    modern = Cipher(algorithms.AES(data), modes.GCM(data))
    # ruleid: python-weak-cipher
    legacy = DESX.new(b"12345678", DESX.MODE_CBC)
    # ok: python-weak-cipher
    current = AESX.new(b"k" * 16, AESX.MODE_GCM)
    # ruleid: python-weak-hash
    old_digest = SHA1X.new(data).hexdigest()
    # ok: python-weak-hash
    new_digest = SHA256X.new(data).hexdigest()
    return weak, strong, checksum, cipher, aes, legacy, current, old_digest, new_digest


def randomness():
    # ruleid: python-insecure-random-secret
    reset_token = "".join(random.choice("abcdef0123456789") for _ in range(32))
    # ok: python-insecure-random-secret
    session_token = secrets.token_hex(16)
    # ok: python-insecure-random-secret
    dice = random.randint(1, 6)
    return reset_token, session_token, dice


def new_api_token():
    # ruleid: python-insecure-random-secret
    return "%032x" % random.getrandbits(128)


def roll_dice():
    # ok: python-insecure-random-secret
    return random.randint(1, 6)


def credentials(connect):
    # ruleid: python-hardcoded-credential
    db_password = "hunter2hunter2"
    # ruleid: python-hardcoded-credential
    connect(host="db", password="s3cr3tP4ss")
    # ok: python-hardcoded-credential
    password = os.environ["DB_PASSWORD"]
    # ok: python-hardcoded-credential
    api_key = ""
    # ok: python-hardcoded-credential
    FIELD_PASSWORD = "password"  # a form field's name, not a secret
    # ruleid: python-hardcoded-credential
    connect(host="db", password="password")  # an argument is the credential itself
    engine = create_engine(
        "postgresql://db/app",
        # ruleid: python-hardcoded-credential
        password="s3cr3t-engine",
    )
    DATABASES = {
        "default": {
            "USER": "app",
            # ruleid: python-hardcoded-credential
            "PASSWORD": "s3cr3t-django",
            # ok: python-hardcoded-credential
            "PASSWORD_FILE": "/run/secrets/db",
        },
    }
    # ruleid: python-hardcoded-credential
    reply = requests.get("https://api.example.com", auth=("deploy", "s3cr3t-deploy"))
    # ok: python-hardcoded-credential
    reply = requests.get("https://api.example.com", auth=("deploy", os.environ["DEPLOY_PASSWORD"]))
    # ruleid: python-hardcoded-credential
    smtp.login("mailer", "s3cr3t-smtp")
    # ruleid: python-hardcoded-credential
    app.secret_key = "dev-key-123"
    # ruleid: python-hardcoded-credential
    app.config["SECRET_KEY"] = "dev-key-123"
    # ruleid: python-hardcoded-credential
    token = jwt.encode({"sub": 1}, "shhhhh", algorithm="HS256")
    # ok: python-hardcoded-credential
    token = jwt.encode({"sub": 1}, os.environ["JWT_SECRET"], algorithm="HS256")
    return db_password, password, api_key, engine, DATABASES


def tls(url):
    # ruleid: python-tls-verification-disabled
    insecure = requests.get(url, verify=False)
    # ruleid: python-tls-verification-disabled
    client = httpx.Client(verify=False)
    # ruleid: python-tls-verification-disabled
    context = ssl._create_unverified_context()
    # ok: python-tls-verification-disabled
    secure = requests.get(url, timeout=10)
    # ruleid: python-tls-verification-disabled
    pool = urllib3.PoolManager(10, cert_reqs=ssl.CERT_NONE)
    # ruleid: python-tls-verification-disabled
    pool = urllib3.connection_from_url(url, cert_reqs="NONE")
    # ok: python-tls-verification-disabled
    pool = urllib3.PoolManager(10, cert_reqs="CERT_REQUIRED")
    return insecure, context, secure


def xml(text, name):
    import lxml.etree
    import xml.dom.minidom
    # ruleid: python-xml-external-entities
    parser = lxml.etree.XMLParser(resolve_entities=True)
    # ruleid: python-xml-external-entities
    document = xml.dom.minidom.parseString(text)
    # ok: python-xml-external-entities
    hardened = lxml.etree.XMLParser(resolve_entities=False)
    # ok: python-xml-external-entities
    shipped = xml.dom.minidom.parse(f"{settings.RES_DIR}/employees.xml")
    # ok: python-xml-external-entities
    bundled = xml.dom.minidom.parse(os.path.join(DATA_DIR, "employees.xml"))
    # ruleid: python-xml-external-entities
    uploaded = xml.dom.minidom.parse(f"{UPLOAD_DIR}/{name}")
    return parser, document, hardened, shipped, bundled, uploaded


def regexes(user_pattern, text):
    # ruleid: python-regex-redos
    slow = re.match(r"^(a+)+$", text)
    # ok: python-regex-redos
    fast = re.match(r"^a+$", text)
    # ruleid: python-regex-from-input
    compiled = re.compile(user_pattern)
    # ok: python-regex-from-input
    escaped = re.compile(re.escape(user_pattern))
    return slow, fast, compiled, escaped


def permissions(path, directory):
    # ruleid: python-world-writable-permissions
    os.chmod(path, 0o666)
    # ruleid: python-world-writable-permissions
    os.makedirs(directory, 0o777, exist_ok=True)
    # ruleid: python-world-writable-permissions
    os.chmod(path, stat.S_IRWXU | stat.S_IWOTH)
    # ruleid: python-world-writable-permissions
    directory.mkdir(mode=0o777, parents=True)
    # ruleid: python-world-writable-permissions
    os.umask(0)
    # ok: python-world-writable-permissions
    os.chmod(path, 0o644)
    # ok: python-world-writable-permissions
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    # ok: python-world-writable-permissions
    directory.mkdir(mode=0o755, parents=True)
    # ok: python-world-writable-permissions
    os.umask(0o077)
    return fd


def login(user, form, password, password_confirmation):
    # ruleid: python-plaintext-password-comparison
    matches = user.password == form["password"]
    # ruleid: python-plaintext-password-comparison
    same = password != user.password
    # ok: python-plaintext-password-comparison
    confirmed = password == password_confirmation
    # ok: python-plaintext-password-comparison
    verified = user.password_hash == hash_password(password)
    return matches, same, confirmed, verified


def store_password(user, password, salt):
    # ruleid: python-fast-hash-of-password
    user.hash = hashlib.sha256(password.encode()).hexdigest()
    # ruleid: python-fast-hash-of-password, python-weak-hash
    user.salted = hashlib.md5((salt + password).encode()).hexdigest()
    # ok: python-fast-hash-of-password
    user.key = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 600000)
    # ok: python-fast-hash-of-password
    user.scrypted = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)
    # ok: python-fast-hash-of-password
    user.etag = hashlib.sha256(user.body).hexdigest()


def temp_files():
    # ruleid: python-insecure-temp-file
    name = tempfile.mktemp()
    # ruleid: python-insecure-temp-file
    handle = open("/tmp/cache.txt", "w")
    # ok: python-insecure-temp-file
    fd, safe_name = tempfile.mkstemp()
    return name, handle, fd, safe_name


def read_upload(base, filename):
    # ruleid: python-path-traversal, python-path-join-parameter
    with open(os.path.join(base, filename)) as fh:
        return fh.read()


def read_upload_checked(base, filename):
    path = os.path.realpath(os.path.join(base, filename))
    if not path.startswith(base):
        raise ValueError("outside the upload folder")
    # ok: python-path-traversal
    with open(path) as fh:
        return fh.read()


def read_upload_basename(base, filename):
    # ok: python-path-traversal
    with open(os.path.join(base, os.path.basename(filename))) as fh:
        return fh.read()


app = Flask(__name__)


def greeting_page(name):
    # ruleid: python-html-built-by-formatting
    return "<p>Welcome back, " + name + "</p>"


def greeting_template(name):
    # ruleid: python-html-built-by-formatting
    return Template("<p>Welcome back, " + name + "</p>")


def error_page(stack):
    # ruleid: python-html-built-by-formatting
    return "<html><body><pre>%s</pre></body></html>" % stack


def error_page_formatted(stack, title):
    # ruleid: python-html-built-by-formatting
    return "<html><body><h1>{}</h1><pre>{}</pre></body></html>".format(html.escape(title), stack)


def error_page_escaped(stack):
    # ok: python-html-built-by-formatting
    return "<html><body><pre>%s</pre></body></html>" % html.escape(stack)


def markup(comment):
    # ruleid: python-xss-markup-nonliteral
    html = Markup(comment)
    # ok: python-xss-markup-nonliteral
    fixed = Markup("<br>")
    # ok: python-xss-markup-nonliteral
    escaped = Markup(escape(comment))
    return html, fixed, escaped


def sql_values(cursor, table, name, limit):
    # ruleid: python-sql-built-by-formatting
    cursor.execute("SELECT id FROM {} WHERE name = ?".format(table), (name,))
    # ruleid: python-sql-built-by-formatting, python-sql-value-spliced
    cursor.execute("SELECT id FROM {} WHERE name = '{}'".format(table, name))
    # ruleid: python-sql-built-by-formatting, python-sql-value-spliced
    cursor.execute("DELETE FROM %s WHERE identifier = '%s';" % (table, name))
    # ruleid: python-sql-built-by-formatting
    cursor.execute("DELETE FROM %s WHERE identifier = $1;" % table, name)
    # ruleid: python-sql-built-by-formatting, python-sql-value-spliced
    cursor.execute("UPDATE entries SET title = '" + name + "' WHERE id = 1")
    # ok: python-sql-built-by-formatting, python-sql-value-spliced
    cursor.execute("UPDATE entries SET title = ? " + "WHERE id = ?", (name, 1))
    query = ("SELECT chat_id FROM users "
             # ruleid: python-sql-value-spliced
             f"LIMIT {limit}")
    template = "SELECT slug FROM nicknames WHERE nick = %s"
    # ruleid: python-sql-value-spliced
    rows = cursor.execute(template % limit)
    # ruleid: python-sql-built-by-formatting
    numbered = cursor.execute("SELECT id FROM users LIMIT %d" % limit)
    # ok: python-sql-value-spliced
    named = cursor.execute("SELECT id FROM users WHERE name = ?", (name,))
    return query, rows, numbered, named


def remote_commands(self, host):
    # ruleid: python-command-line-string-to-runner
    self._run_ssh("svcinfo lshost -delim !")
    show_cmd = "showhost -verbose fakehost"
    # ruleid: python-command-line-string-to-runner
    self._run_ssh(show_cmd, False)
    # ok: python-command-line-string-to-runner
    self._run_ssh(["svcinfo", "lshost", "-delim", "!"])
    args = []
    for key, value in host.items():
        args.append(" %s=%s" % (key, value))
    # ruleid: python-shell-command-built-by-formatting
    cmd = "cliq " + "".join(args)
    # ruleid: python-shell-command-built-by-formatting
    out = __salt__["cmd.run"]("salt-call grains.get {0}".format(host))
    # ok: python-shell-command-built-by-formatting
    out_list = __salt__["cmd.run"](["salt-call", "grains.get", host])
    return cmd, out, out_list


def shell_popen(command):
    from subprocess import Popen, PIPE
    # ruleid: python-os-command-nonliteral
    process = Popen(command, shell=True, stdout=PIPE)
    # ok: python-os-command-nonliteral
    listed = Popen(shlex.split(command), stdout=PIPE)
    return process, listed


def templates(loader, options, request, workflow):
    import jinja2
    from django.shortcuts import render
    # ruleid: python-jinja2-autoescape-off
    plain = jinja2.Environment(loader=loader)
    # ok: python-jinja2-autoescape-off
    escaping = jinja2.Environment(loader=loader, autoescape=True)
    # ruleid: python-jinja2-autoescape-off
    off = jinja2.Environment(loader=loader, autoescape=False)
    return plain, escaping, off, render("editor.mako", request, {
        # ruleid: python-json-into-html-template
        "workflow_json": json.dumps(workflow),
        # ok: python-json-into-html-template
        "layout_json": json.dumps(workflow, cls=JSONEncoderForHTML),
    })


def jinja_from_options(loader):
    from jinja2 import Environment
    options = {"autoescape": True}
    # ok: python-jinja2-autoescape-off
    return Environment(loader=loader, **options)


def render_markdown(text):
    import bleach
    from markdown import markdown
    # ruleid: python-markdown-html-unsanitised
    raw = markdown(text)
    # ok: python-markdown-html-unsanitised
    cleaned = bleach.clean(markdown(text), tags=["p", "em"])
    # ok: python-markdown-html-unsanitised
    escaped = markdown(escape(text))
    return raw, cleaned, escaped


class BuildHandler:
    def get(self, build_id):
        try:
            build_id = int(build_id)
        except ValueError as ex:
            # ruleid: python-exception-text-in-response
            self.response.write(ex.message)
            # ok: python-exception-text-in-response
            self.response.write("invalid build id")


def translated_link(request):
    # ruleid: python-html-built-by-formatting
    message = _('Canceled (<a href="%(url)s">undo</a>).') % {"url": request.path}
    # ok: python-html-built-by-formatting
    escaped = _('Canceled (<a href="%(url)s">undo</a>).') % {"url": escape(request.path)}
    return message, escaped


@app.route("/download")
def download():
    name = request.args.get("name")
    # ruleid: python-path-traversal, python-path-from-request
    response = send_file(os.path.join("/srv/files", name))
    response.headers["Cache-Control"] = "no-store"


@app.route("/download-safe")
def download_safe():
    name = secure_filename(request.args.get("name"))
    # ok: python-path-from-request
    response = send_file(os.path.join("/srv/files", name))
    response.headers["Cache-Control"] = "no-store"


@app.route("/keys", methods=["PUT"])
def put_key():
    data = json.loads(request.data)
    validate_key_name(data["name"])
    # ok: python-path-from-request
    with open("keys/%s.key" % data["name"], "w") as handle:
        handle.write(data["key"])


def store_key(namespace, key, store):
    # ruleid: python-path-join-parameter
    return store.get(os.path.join(namespace, key))


def store_key_checked(namespace, key, store):
    # ok: python-path-join-parameter
    path = os.path.normpath(os.path.join(namespace, key))
    if not path.startswith(namespace):
        raise ValueError(key)
    return store.get(path)


def move_item(source, new_name):
    # ruleid: python-path-traversal
    shutil.move(source, STORAGE_DIR + new_name)


def json_responses(form, data):
    from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
    # ruleid: python-json-response-as-html
    bad = HttpResponseBadRequest(form.errors.as_json())
    # ok: python-json-response-as-html
    escaped = HttpResponseBadRequest(form.errors.as_json(escape_html=True))
    # ruleid: python-json-response-as-html
    page = HttpResponse(json.dumps(data))
    # ok: python-json-response-as-html
    typed = HttpResponse(json.dumps(data), content_type="application/json")
    return bad, escaped, page, typed, JsonResponse(data)


def split_command(command, path):
    # ruleid: python-command-split-on-whitespace
    output = subprocess.check_output(command.split())
    # ok: python-command-split-on-whitespace
    listed = subprocess.check_output(["ls", "-l", path])
    # ok: python-command-split-on-whitespace
    fixed = subprocess.check_output("git status --short".split())
    return output, listed, fixed


def whitelist_users(users, template):
    from subprocess import call
    for user in users.split():
        # ruleid: python-shell-command-built-by-formatting
        call(template.format(user))
        if not re.match(r"^[A-Za-z0-9_]{3,16}$", user):
            print("invalid name")
        else:
            # ok: python-shell-command-built-by-formatting
            call(template.format(user))


def pull_report(device, remote, local):
    # ruleid: python-shell-command-built-by-formatting
    device.adb.pull("%s %s" % (remote, local))
    # ok: python-shell-command-built-by-formatting
    device.adb.pull([remote, local])


def login_page(handler, request):
    # ruleid: python-request-url-into-template-context
    handler.render("login.html", {"dest": handler.request.get("dest")})
    context = {}
    # ruleid: python-request-url-into-template-context
    context["back_link"] = request.GET["back"]
    back = request.GET.get("back")
    if back is not None and urllib.parse.urlparse(back).scheme == "":
        # ok: python-request-url-into-template-context
        context["back_link"] = back
    # ok: python-request-url-into-template-context
    context["query"] = request.GET.get("q")
    handler.render("page.html", context)


def json_filter(value):
    from django.utils.safestring import mark_safe
    result = json.dumps(value)
    # ruleid: python-json-marked-safe, python-xss-markup-nonliteral
    unsafe = mark_safe(result)
    # ok: python-json-marked-safe
    # ruleid: python-xss-markup-nonliteral
    escaped = mark_safe(result.translate({ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}))
    return unsafe, escaped


def search_plain(search, query, fields):
    # ruleid: python-search-highlight-not-html-encoded
    return search.query(query).highlight(*fields)


def search_encoded(search, query, fields):
    search = search.highlight_options(encoder="html")
    # ok: python-search-highlight-not-html-encoded
    return search.query(query).highlight(*fields)


def check_download(names):
    for name in names:
        # ruleid: python-path-traversal-check-incomplete
        if "/../" in name:
            return "invalid"
    return "ok"


def check_download_fully(names):
    for name in names:
        # ok: python-path-traversal-check-incomplete
        if "/../" in name or name.startswith("../") or os.path.isabs(name):
            return "invalid"
    return "ok"


def blog_list_context(context):
    import frappe
    from frappe.utils import sanitize_html
    list_context = frappe._dict(title="Blog")
    if frappe.local.form_dict.txt:
        # ruleid: python-frappe-form-value-into-page-context
        list_context.sub_title = 'Filtered by "{0}"'.format(frappe.local.form_dict.txt)
    category = sanitize_html(frappe.form_dict.category)
    # ok: python-frappe-form-value-into-page-context
    list_context.title = category
    return list_context


def dashboard(request):
    from django.shortcuts import render
    query = {"qs": [{"q": ""}], "start": 0}
    if "q" in request.GET:
        query["qs"][0]["q"] = request.GET.get("q")
    # ruleid: python-request-data-json-into-template, python-json-into-html-template
    return render("search.mako", request, {"query": json.dumps(query)})


def dashboard_escaped(request):
    from django.shortcuts import render
    from django.utils.html import escape
    query = {"qs": [{"q": ""}], "start": 0}
    if "q" in request.GET:
        query["qs"][0]["q"] = escape(request.GET.get("q", ""))
    # ok: python-request-data-json-into-template
    # ruleid: python-json-into-html-template
    return render("search.mako", request, {"query": json.dumps(query)})


class DeviceBridge:
    def call(self, name, *args):
        arg_str = " ".join(str(arg) for arg in args)
        # ruleid: python-argument-list-joined-into-command
        return self._exec_adb_cmd(name, arg_str)

    def call_list(self, name, args):
        # ok: python-argument-list-joined-into-command
        return self._exec_adb_cmd(name, list(args))


def zip_tree(base_dir, zip_filename):
    from distutils.spawn import spawn
    # ruleid: python-distutils-spawn
    spawn(["zip", "-rq", zip_filename, base_dir])
    # ok: python-distutils-spawn
    subprocess.check_call(["zip", "-rq", zip_filename, base_dir])


def link_dialog(request):
    # ruleid: python-request-value-in-locals-html-template
    name = request.values.get("pagename", "")
    # ruleid: python-html-built-by-formatting
    request.write(u'<input name="pagename" value="%(name)s">' % locals())


def link_dialog_escaped(request):
    # ok: python-request-value-in-locals-html-template
    name = request.values.get("pagename", "")
    name_escaped = html.escape(name)
    # ruleid: python-html-built-by-formatting
    request.write(u'<input name="pagename" value="%(name_escaped)s">' % locals())


def save_reservation_notes(request, reservation_id):
    from django.utils.html import escape
    reservation = Reservation.objects.get(id=int(request.GET["rid"]))
    notes: str = request.POST["notes"]
    if request.POST.get("contact"):
        # ruleid: python-request-text-stored-unescaped
        reservation.contact = str(request.POST["contact"])
    # ruleid: python-request-text-stored-unescaped
    reservation.notes = notes
    # ok: python-request-text-stored-unescaped
    reservation.title = escape(request.POST["title"])
    # ok: python-request-text-stored-unescaped
    reservation.amount = int(request.POST["amount"])
    # ok: python-request-text-stored-unescaped
    reservation.owner = User.objects.get(id=request.GET["uid"])
    reservation.save()


def remember_search(request):
    # ok: python-request-text-stored-unescaped
    request.session.last_query = request.GET.get("q")
    return redirect("/search")


# eval after an allow-list of the text's characters or a whole-text pattern that raises or returns
def calc(expr):
    # ruleid: python-code-eval-nonliteral
    return str(eval(expr))

def calc_safe(expr):
    if not all(c in "0123456789+-*/(). " for c in expr):
        raise ValueError(expr)
    # ok: python-code-eval-nonliteral
    return str(eval(expr, {"__builtins__": {}}))

def calc_logged(expr):
    if not all(c in "0123456789+-*/(). " for c in expr):
        print("odd input")
    # ruleid: python-code-eval-nonliteral
    return eval(expr)

def calc_set(expr):
    if not set(expr).issubset(ALLOWED):
        raise ValueError(expr)
    # ok: python-code-eval-nonliteral
    return eval(expr)

def calc_re(expr):
    if not re.fullmatch(r"[0-9+*/() .-]+", expr):
        return None
    # ok: python-code-eval-nonliteral
    return eval(expr)

def calc_compiled(expr):
    if not ARITHMETIC.fullmatch(expr):
        raise ValueError(expr)
    # ok: python-code-eval-nonliteral
    return eval(expr)

def calc_search(expr):
    if not re.search(r"[0-9]", expr):
        raise ValueError(expr)
    # ruleid: python-code-eval-nonliteral
    return eval(expr)

def keys_and_protocols(rsa, padding):
    # ruleid: python-weak-rsa-key
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    # ok: python-weak-rsa-key
    large = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    # ruleid: python-weak-rsa-key
    legacy = RSA.generate(1024)
    # ruleid: python-weak-rsa-key
    signing = dsa.generate_private_key(1024)
    # ruleid: python-tls-legacy-protocol
    old = ssl.SSLContext(ssl.PROTOCOL_TLSv1)
    # ok: python-tls-legacy-protocol
    modern = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    # ruleid: python-tls-legacy-protocol
    modern.minimum_version = ssl.TLSVersion.TLSv1_1
    # ok: python-tls-legacy-protocol
    modern.minimum_version = ssl.TLSVersion.TLSv1_2
    return small, large, legacy, old

def init_vectors(key):
    # ruleid: python-static-iv
    fixed = AES.new(key, AES.MODE_CBC, b"0123456789abcdef")
    # ruleid: python-static-iv
    zeros = Cipher(algorithms.AES(key), modes.CBC(b"\x00" * 16))
    # ok: python-static-iv
    random_iv = Cipher(algorithms.AES(key), modes.CBC(os.urandom(16)))
    return fixed, zeros, random_iv


def unpack(upload, dest):
    import tarfile
    archive = tarfile.open(fileobj=upload)
    # ruleid: python-path-traversal
    archive.extractall(dest)
    # ok: python-path-traversal
    archive.extractall(dest, filter="data")
    # ruleid: python-path-traversal
    open(os.path.join(dest, upload.filename)).close()


def remember(response, user, settings):
    # ruleid: python-cookie-without-secure-flag
    response.set_cookie("remember", user.token, httponly=True)
    # ruleid: python-cookie-secure-flag-off
    response.set_cookie("theme", "dark", secure=False)
    # ok: python-cookie-without-secure-flag, python-cookie-secure-flag-off
    response.set_cookie("remember", user.token, secure=True, httponly=True)
    # ok: python-cookie-without-secure-flag, python-cookie-secure-flag-off
    response.set_cookie("remember", user.token, secure=settings.SECURE_COOKIES)
    return response


# ruleid: python-cookie-secure-flag-off
SESSION_COOKIE_SECURE = False
# ok: python-cookie-secure-flag-off
CSRF_COOKIE_SECURE = True


import jwt  # noqa: E402  (PyJWT)
from jose import jwt as jose_jwt  # noqa: E402


def current_user(request):
    token = request.headers["Authorization"][7:]
    # ruleid: python-jwt-signature-not-verified
    claims = jwt.decode(token, options={"verify_signature": False})
    return claims["sub"]


def current_user_old(token):
    # ruleid: python-jwt-signature-not-verified
    return jwt.decode(token, SECRET, verify=False)["sub"]


def current_user_opts(token):
    opts = {"verify_signature": False, "verify_exp": True}
    # ruleid: python-jwt-signature-not-verified
    return jwt.decode(token, SECRET, algorithms=["HS256"], options=opts)["sub"]


def accept_none(token):
    # ruleid: python-jwt-signature-not-verified
    return jwt.decode(token, SECRET, algorithms=["HS256", "none"])


def issue(user):
    # ruleid: python-jwt-signature-not-verified
    return jwt.encode({"sub": user.id}, None, algorithm="none")


def claims_of(token):
    # ruleid: python-jwt-signature-not-verified
    return jose_jwt.get_unverified_claims(token)


def verified_user(token, keys):
    # ok: python-jwt-signature-not-verified
    header = jwt.get_unverified_header(token)
    # ok: python-jwt-signature-not-verified
    return jwt.decode(token, keys[header["kid"]], algorithms=["RS256"])["sub"]


def verified_jose(token, keys):
    # ok: python-jwt-signature-not-verified
    issuer = jose_jwt.get_unverified_claims(token)["iss"]
    return jose_jwt.decode(token, keys[issuer], algorithms=["RS256"])


def exp_only(token):
    # ok: python-jwt-signature-not-verified
    # ruleid: python-jwt-expiry-not-checked
    return jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_exp": False})



def jwt_no_exp(token):
    # ruleid: python-jwt-expiry-not-checked
    return jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_exp": False})


def jwt_with_exp(token):
    # ok: python-jwt-expiry-not-checked
    return jwt.decode(token, SECRET, algorithms=["HS256"], options={"require": ["exp"]})


def connect_trusting_any_host(host):
    client = paramiko.SSHClient()
    # ruleid: python-ssh-host-key-not-verified
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    # ruleid: python-ssh-host-key-not-verified
    client.set_missing_host_key_policy(WarningPolicy)
    # ok: python-ssh-host-key-not-verified
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    client.connect(host)


def usage(program, placeholder):
    # ok: python-html-built-by-formatting
    print("Usage: {} <catalog url> <application id>".format(program))
    # ok: python-html-built-by-formatting
    return "Fill in {0} where the text says <condition>".format(placeholder)


def is_admin(password):
    # ruleid: python-hardcoded-credential
    if password == "s3cr3t-admin":
        return True
    # ok: python-hardcoded-credential
    return password == os.environ["ADMIN_PASSWORD"]


# A request's whole form or body unpacked into a stored record, and the forms that choose its fields.
@app.route("/users", methods=["POST"])
def create_user():
    # ruleid: python-mass-assignment-from-request
    user = User(**request.json)
    # ruleid: python-mass-assignment-from-request
    other = models.User(**request.get_json(), owner=current_user)
    # ruleid: python-mass-assignment-from-request
    db.session.query(User).filter(User.id == user.id).update(request.form.to_dict())
    # ruleid: python-mass-assignment-from-request
    user.__dict__.update(request.json)
    # ok: python-mass-assignment-from-request
    checked = UserCreate(**request.json)
    # ok: python-mass-assignment-from-request
    named = User(name=request.json["name"], email=request.json["email"])
    # ok: python-mass-assignment-from-request
    page = render_template("users.html", **request.args)
    return jsonify(user, other, checked, named, page)


def update_whatzit(request, pk):
    fields = request.POST.dict()
    # ruleid: python-mass-assignment-from-request
    Whatzit.objects.filter(pk=pk).update(**fields)
    # ruleid: python-mass-assignment-from-request
    Whatzit.objects.update_or_create(pk=pk, defaults=fields)
    # ok: python-mass-assignment-from-request
    found = Whatzit.objects.filter(**request.GET.dict())
    return redirect("/", found)


def update_whatzit_safely(request, pk):
    fields = request.POST.dict()
    fields.pop("owner", None)
    # ok: python-mass-assignment-from-request
    Whatzit.objects.filter(pk=pk).update(**fields)
    data = request.get_json()
    data = {key: data[key] for key in EDITABLE if key in data}
    # ok: python-mass-assignment-from-request
    Whatzit.objects.create(**data)
    return redirect("/")


# ruleid: python-csrf-check-disabled
@csrf_exempt
@login_required
def shelve(request, shelf_id, book_id):
    shelf = models.Shelf.objects.get(id=shelf_id)
    shelf.books.add(book_id)
    return redirect("/")


# ok: python-csrf-check-disabled
@login_required
def unshelve(request, shelf_id, book_id):
    models.ShelfBook.objects.filter(shelf=shelf_id, book=book_id).delete()
    return redirect("/")


class ContactActionMixin(SmartListView):
    # ruleid: python-csrf-check-disabled
    @csrf_exempt
    def dispatch(self, *args, **kwargs):
        return super().dispatch(*args, **kwargs)


# ruleid: python-csrf-check-disabled
@method_decorator(csrf_exempt, name="dispatch")
class Login(View):
    def post(self, request):
        login(request, authenticate(request, **request.POST))
        return redirect("/")


# ok: python-csrf-check-disabled
@csrf_exempt
def stripe_webhook(request):
    event = stripe.Webhook.construct_event(request.body, request.META["HTTP_STRIPE_SIGNATURE"], SECRET)
    handle(event)
    return HttpResponse(status=200)


# ok: python-csrf-check-disabled
@require_POST
@csrf_exempt
def shared_inbox(request):
    activity = json.loads(request.body)
    return HttpResponse()


# ok: python-csrf-check-disabled
@csrf_exempt
def report(request):
    expected = hmac.new(settings.SECRET_KEY.encode(), request.body, "sha256").hexdigest()
    if not hmac.compare_digest(expected, request.headers.get("X-Signature", "")):
        return HttpResponseForbidden()
    Link.objects.filter(url=request.POST["url"]).update(ok=False)
    return HttpResponse()


urlpatterns = [
    # ruleid: python-csrf-check-disabled
    path("record_answer/", csrf_exempt(views.RecordAnswer.as_view())),
    # ok: python-csrf-check-disabled
    path("zendesk/", csrf_exempt(views.ZendeskWebhook.as_view())),
    # ok: python-csrf-check-disabled
    path("review/", views.review),
]

# ruleid: python-csrf-check-disabled
csrf.exempt(api_blueprint)


# ruleid: python-csrf-check-disabled
@csrf.exempt
@app.route("/transfer", methods=["POST"])
def transfer():
    current_user.account.send(request.form["to"], request.form["amount"])
    return redirect("/")


# ok: python-csrf-check-disabled
@limiter.exempt
@app.route("/transfer", methods=["POST"])
def limited_transfer():
    current_user.account.send(request.form["to"], request.form["amount"])
    return redirect("/")
