"""The app served for real, for the fault tests and bench/hostile.py.

``PostgresCluster``: a throwaway PostgreSQL cluster (initdb + pg_ctl in a temporary
folder, listening on 127.0.0.1 only; as root it runs as the ``postgres`` user, as
bin/with-postgres does, since PostgreSQL refuses to run as root). ``Gunicorn``: the app
under gunicorn on a free loopback port, waited for until it answers. ``Browser``: one
person's browser over plain ``http.client``, with its own cookies, signing in through the
sign-in page with its CSRF token. ``TaskWorker``: ``manage.py db_worker``, waited for until
it polls. ``postgres_database``: a new database on the PostgreSQL server the suite runs on.
Everything waits for readiness (never a fixed sleep) with generous limits, for slow shared
machines.
"""

from __future__ import annotations

import glob
import html
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
PG_BIN_DIRS = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
PG_BIN = Path(PG_BIN_DIRS[-1]) if PG_BIN_DIRS else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check, *, timeout: float, interval: float = 0.1, what: str = "the condition"):
    """Call ``check`` until it returns something true (which is returned); fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting {timeout:.0f} s for {what}")
        time.sleep(interval)


# --- PostgreSQL ----------------------------------------------------------------------------


class PostgresCluster:
    """A PostgreSQL cluster of its own in a temporary folder, on 127.0.0.1 only."""

    def __init__(self):
        if PG_BIN is None or not (PG_BIN / "initdb").exists():
            raise RuntimeError("PostgreSQL server binaries not found (apt-get install postgresql)")
        self.as_root = os.geteuid() == 0
        self.user = "postgres" if self.as_root else os.environ.get("USER") or "postgres"
        self.folder = Path(tempfile.mkdtemp(prefix="scrutiny-pg-"))
        self.data = self.folder / "db"
        self.log = self.folder / "server.log"
        self.port = free_port()
        self.url = f"postgres://{self.user}@127.0.0.1:{self.port}/scrutiny"

    def _run(self, *args, check=True, timeout=120):
        kwargs = {"user": "postgres", "group": "postgres", "extra_groups": []} if self.as_root else {}
        return subprocess.run(
            [str(PG_BIN / args[0]), *args[1:]], cwd=self.folder, check=check, timeout=timeout,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs,
        )

    def start(self) -> PostgresCluster:
        if self.as_root:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", self.user, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
        self.start_server()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user, "scrutiny")
        return self

    def _options(self) -> str:
        return (f"-h 127.0.0.1 -p {self.port} -k {self.folder} "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")

    def start_server(self):
        """Start the server and wait until it accepts connections (pg_ctl -w)."""
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "120", "-o", self._options(),
                  "start")

    def stop_server(self, mode: str = "fast"):
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "120", "stop")

    def restart(self):
        """``pg_ctl restart -m fast``: every connection is cut; returns once the server accepts connections."""
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-m", "fast", "-w", "-t", "120",
                  "-o", self._options(), "restart")

    def remove(self):
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.remove()
            raise

    def __exit__(self, *exc):
        self.remove()


@contextmanager
def postgres_database(settings: dict, prefix: str = "live"):
    """A new, empty database on the PostgreSQL server that ``settings`` (a Django connection's
    settings_dict) names; yields its URL, and drops it afterwards whatever happened."""
    import psycopg2

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    server = {"host": settings["HOST"] or "127.0.0.1", "port": settings["PORT"] or 5432,
              "user": settings["USER"], "password": settings["PASSWORD"]}
    admin = psycopg2.connect(dbname="postgres", **server)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    try:
        credentials = quote(server["user"]) + (f":{quote(server['password'])}" if server["password"] else "")
        yield f"postgres://{credentials}@{server['host']}:{server['port']}/{name}"
    finally:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


# --- The app ---------------------------------------------------------------------------------


def app_env(database_url: str, **extra) -> dict:
    """The environment the app runs with: production settings on loopback, plain HTTP."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "scrutiny.settings",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "live-only-" + secrets.token_hex(16),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "PYTHONUNBUFFERED": "1",
    }
    env.update(extra)
    return env


def manage(env: dict, *args: str, timeout: float = 300) -> str:
    """Run ``manage.py`` with ``env``; its output, or an error showing it."""
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, timeout=timeout,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}")
    return done.stdout


def prepare_database(env: dict) -> None:
    """An empty database made ready: migrated, with the seed report and the demo users."""
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_demo")


class Process:
    """A server or worker the tests start (``start`` in each); stopped as it would be by systemd:
    SIGTERM (a worker finishes the task it is running, then stops), killed after 30 seconds."""

    process: subprocess.Popen | None = None

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class Gunicorn(Process):
    """The app under gunicorn on a free loopback port; ``start`` returns once a page answers."""

    def __init__(self, env: dict, *, workers: int = 3, threads: int = 1, timeout: int = 60, log: Path,
                 cwd: Path = ROOT):
        self.env = env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.cwd = cwd  # another folder stands for another machine's disk; the code is still ROOT's
        self.args = [
            sys.executable, "-m", "gunicorn", "scrutiny.wsgi:application", "--pythonpath", str(ROOT),
            "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers), "--threads", str(threads),
            "--timeout", str(timeout), "--graceful-timeout", "10", "--log-level", "warning",
        ]
        self.process = None

    def start(self, *, ready_path: str = "/accounts/login/", timeout: float = 120) -> Gunicorn:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(self.args, cwd=self.cwd, env=self.env, stdout=log, stderr=log)

        def answers():
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped: {self.log.read_text()[-3000:]}")
            try:
                return Browser(self.url, timeout=5).get(ready_path).status == 200
            except OSError:
                return False

        wait_until(answers, timeout=timeout, interval=0.2, what="gunicorn to answer")
        return self


class TaskWorker(Process):
    """``manage.py db_worker`` (the background worker bin/worker runs), its log in ``log``;
    ``start`` returns once it polls the queue. Its log names each task it takes, by id."""

    STARTED = "Starting worker worker_id="

    def __init__(self, env: dict, *, name: str, log: Path, cwd: Path = ROOT, interval: float = 0.2):
        self.env, self.name, self.log, self.cwd = env, name, log, cwd
        self.args = [sys.executable, str(ROOT / "manage.py"), "db_worker", "--no-reload", "--interval", str(interval),
                     "--worker-id", name]
        self.process = None

    def start(self, *, timeout: float = 120) -> TaskWorker:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(self.args, cwd=self.cwd, env=self.env, stdout=log, stderr=log)

        def polling():
            if self.process.poll() is not None:
                raise RuntimeError(f"db_worker {self.name} stopped: {self.log.read_text()[-3000:]}")
            return self.STARTED in self.log.read_text(errors="replace")

        wait_until(polling, timeout=timeout, interval=0.2, what=f"db_worker {self.name} to start")
        return self

    def taken(self) -> list[str]:
        """The ids of the tasks this worker took, in its log's order (one line each as it starts one)."""
        return re.findall(r"Task id=(\S+) path=\S+ state=RUNNING", self.log.read_text(errors="replace"))


# --- A browser -------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    elapsed: float = 0.0

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def content(self) -> bytes:
        """The body, by the name Django's test client gives it (so tests.pages reads these pages too)."""
        return self.body

    def header(self, name: str) -> str:
        return next((v for k, v in self.headers if k.lower() == name.lower()), "")


INPUT = re.compile(r"<input\b[^>]*>", re.I)
ATTRIBUTE = re.compile(r'([\w:-]+)\s*=\s*"([^"]*)"')


def hidden(page: str, name: str) -> str:
    """The value of the input called ``name`` on the page, as the browser would send it back."""
    for tag in INPUT.findall(page):
        attributes = {k.lower(): html.unescape(v) for k, v in ATTRIBUTE.findall(tag)}
        if attributes.get("name") == name:
            return attributes.get("value", "")
    raise LookupError(f"no input {name!r} on the page")


@dataclass
class Browser:
    """One person's browser: its own cookies; a new connection per request (gunicorn's sync
    workers close each one). Cookies marked Secure are kept too: the app sends production
    cookies, and the tests talk plain HTTP on loopback as a proxy behind TLS would."""

    base_url: str
    timeout: float = 120
    cookies: dict[str, str] = field(default_factory=dict)

    def clone(self) -> Browser:
        """A second tab of the same browser (same session), for sending things at once."""
        return Browser(self.base_url, self.timeout, dict(self.cookies))

    def on(self, base_url: str) -> Browser:
        """The same browser sent to another server (as a load balancer would): the cookies are shared."""
        return Browser(base_url, self.timeout, self.cookies)

    def follow(self, response: Response, *, limit: int = 10) -> Response:
        """Follow the redirects a response starts, on this server, as a browser does; the last answer."""
        for _ in range(limit):
            if response.status not in (301, 302, 303, 307, 308):
                return response
            location = urlsplit(response.header("Location"))
            response = self.get(location.path + (f"?{location.query}" if location.query else ""))
        raise RuntimeError(f"more than {limit} redirects")

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> Response:
        host = self.base_url.split("://", 1)[1]
        connection = http.client.HTTPConnection(host, timeout=self.timeout)
        sent = {"Host": host, "Origin": self.base_url, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.monotonic()
        try:
            connection.request(method, path, body=body, headers=sent)
            answer = connection.getresponse()
            response = Response(answer.status, answer.getheaders(), answer.read(), time.monotonic() - started)
        finally:
            connection.close()
        for name, value in response.headers:
            if name.lower() == "set-cookie":
                self._keep(value)
        return response

    def _keep(self, header: str):
        jar = SimpleCookie()
        jar.load(header)
        for name, morsel in jar.items():
            if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, fields, *, charset: str | None = "utf-8", declare: bool = True,
             body: bytes | None = None, files: dict | None = None) -> Response:
        """Send a form, its fields urlencoded in ``charset`` (and the body in it, for UTF-16);
        ``declare`` says the charset in Content-Type. With ``files`` ({field: (file name, bytes,
        content type)}) it is sent as multipart/form-data, as a form with a file input is."""
        if files:
            from django.core.files.uploadedfile import SimpleUploadedFile
            from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

            uploads = {name: SimpleUploadedFile(*file) for name, file in files.items()}
            return self.request("POST", path, encode_multipart(BOUNDARY, {**dict(fields), **uploads}),
                                {"Content-Type": MULTIPART_CONTENT})
        if body is None:
            body = encode_form(fields, charset)
        content_type = "application/x-www-form-urlencoded" + (f"; charset={charset}" if declare and charset else "")
        return self.request("POST", path, body, {"Content-Type": content_type})

    @property
    def csrf_token(self) -> str:
        return self.cookies.get("csrftoken", "")

    def sign_in(self, username: str, password: str) -> Response:
        page = self.get("/accounts/login/")
        response = self.post("/accounts/login/", {
            "csrfmiddlewaretoken": hidden(page.text, "csrfmiddlewaretoken"),
            "username": username, "password": password,
        })
        if response.status != 302:
            raise RuntimeError(f"{username} could not sign in: HTTP {response.status}")
        return response


def encode_form(fields, charset: str | None = "utf-8") -> bytes:
    """A form body as a client working in ``charset`` sends it: the escapes are of that
    charset's bytes, and for UTF-16 the body itself is UTF-16 too."""
    charset = charset or "utf-8"
    text = urlencode(list(fields.items()) if isinstance(fields, dict) else fields, encoding=charset)
    return text.encode("utf-16") if charset.lower().replace("-", "").startswith("utf16") else text.encode("ascii")
