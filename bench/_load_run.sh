#!/usr/bin/env bash
# Inside bench/load.sh, with DATABASE_URL pointing at the throwaway PostgreSQL.
set -euo pipefail
export DEBUG=false SECRET_KEY="bench-only-$(date +%s%N)" ALLOWED_HOSTS=127.0.0.1 \
  SECURE_SSL_REDIRECT=false AXES_ENABLED=true STATIC_ROOT="$(mktemp -d)"
PY=.venv/bin/python
PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

$PY manage.py migrate -v0
$PY manage.py collectstatic --noinput -v0
$PY manage.py load_demo >/dev/null
# Copy the seed's recommendations (with sub-parts, owners, evidence, assessments) to ~1,000.
export IDS=$(mktemp)
$PY manage.py shell --no-imports -c '
from django.contrib.auth import get_user_model, SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from tracker.models import Meeting, Recommendation, EvidenceUpdate
from tracker.pack.synthetic import enlarge
meeting = Meeting.objects.latest_first().first()
enlarge(meeting, 53)
user = get_user_model().objects.get(username="scrutiny")
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
import os
r06 = Recommendation.objects.get(number="R06").pk
with open(os.environ["IDS"], "w") as out:
    out.write(f"{meeting.pk} {r06} {session.session_key}\n")
'
read -r MEETING RECOMMENDATION COOKIE < "$IDS"
echo "Data: $($PY manage.py shell --no-imports -c 'from tracker.models import *; print(Recommendation.objects.count(), "recommendations,", EvidenceUpdate.objects.count(), "evidence updates,", SubPart.objects.count(), "sub-parts")')"

.venv/bin/gunicorn scrutiny.wsgi:application --bind "127.0.0.1:$PORT" --workers 2 --log-level warning &
GUNICORN=$!
trap 'kill $GUNICORN 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/accounts/login/" && break; sleep 0.2; done

LUA=$(mktemp --suffix=.lua)
cat > "$LUA" <<'LUA'
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
               + summary.errors.status + summary.errors.timeout
  io.write(string.format("%.1f %.1f %.1f %d %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, errors, summary.requests))
end
LUA

printf "\n%-34s %10s %9s %9s %7s %9s\n" "page" "req/s" "p50 ms" "p95 ms" "errors" "requests"
for page in \
  "/" \
  "/recommendations/" \
  "/recommendations/$RECOMMENDATION/" \
  "/meetings/" \
  "/meetings/$MEETING/" \
  "/search/?q=training" \
  "/static/css/app.css"; do
  read -r rps p50 p95 errors requests < <(wrk -t2 -c"$BENCH_CONNECTIONS" -d"${BENCH_SECONDS}s" --timeout 30s \
    -H "Cookie: sessionid=$COOKIE" -s "$LUA" "http://127.0.0.1:$PORT$page" | tail -n 1)
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: sessionid=$COOKIE" "http://127.0.0.1:$PORT$page")
  printf "%-34s %10s %9s %9s %7s %9s  (HTTP %s)\n" "$page" "$rps" "$p50" "$p95" "$errors" "$requests" "$status"
done
