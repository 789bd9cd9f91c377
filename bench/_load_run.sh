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
$PY manage.py generate_scale_data --recommendations "$BENCH_RECOMMENDATIONS" --yes >/dev/null
# A signed-in scrutiny officer's session, and the addresses of the pages to drive.
PAGES=$(mktemp); export PAGES
$PY manage.py shell --no-imports -c '
from django.contrib.auth import get_user_model, SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from tracker import paging
from tracker.models import Committee, Meeting, Recommendation
connection.cursor().execute("ANALYZE")
user = get_user_model().objects.get(username="scrutiny")
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
tracked = Recommendation.objects.tracked().order_by(*paging.REPORT_ORDER)
middle = tracked[tracked.count() // 2]
meeting = Meeting.objects.filter(assessments__isnull=False, imported=False).latest_first().first()
committee = Committee.objects.filter(on_public_register=True).order_by("name").first()
import os
with open(os.environ["PAGES"], "w") as out:
    out.write(f"COOKIE {session.session_key}\n")
    for name, url in [
        ("Sign-in page", "/accounts/login/"),
        ("Home", "/"),
        ("Recommendations", "/recommendations/"),
        ("Recommendations, deep", f"/recommendations/?status=tracked&tracked_after={paging.token(middle)}"),
        ("Timeline", f"/recommendations/{middle.pk}/"),
        ("Meetings", "/meetings/"),
        ("A meeting", f"/meetings/{meeting.pk}/"),
        ("Search, words", "/search/?q=homelessness+prevention"),
        ("Search, number", "/search/?q=R07"),
        ("Overview", "/overview/"),
        ("Public register", "/public/"),
        ("Public committee", f"/public/committees/{committee.pk}/"),
        ("Open data", "/api/v1/recommendations/"),
        ("Static file", "/static/css/app.css"),
    ]:
        out.write(f"{name.replace(chr(32), chr(95))} {url}\n")
' 
COOKIE=$(awk '$1 == "COOKIE" {print $2}' "$PAGES")
echo "Data: $($PY manage.py shell --no-imports -c 'from tracker.models import *; print(f"{Recommendation.objects.count():,} recommendations, {EvidenceUpdate.objects.count():,} evidence updates, {Committee.objects.count()} committees, {Meeting.objects.count()} meetings")')"

.venv/bin/gunicorn scrutiny.wsgi:application --bind "127.0.0.1:$PORT" --workers "$BENCH_WORKERS" --log-level warning &
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

echo "$BENCH_CONNECTIONS connections, $BENCH_SECONDS s a page, $BENCH_WORKERS gunicorn workers (sync), $(nproc) cores"
printf "\n%-24s %8s %9s %9s %7s %9s %6s %10s  %s\n" page "req/s" "p50 ms" "p95 ms" errors requests HTTP "p95/sign-in" "address"
YARDSTICK=""
FAILED=0
while read -r name url; do
  [ "$name" = COOKIE ] && continue
  cookie="Cookie: sessionid=$COOKIE"
  [ "$name" = Sign-in_page ] && cookie="X-Signed-Out: yes"  # the yardstick: signed out, as a visitor comes
  read -r rps p50 p95 errors requests < <(wrk -t2 -c"$BENCH_CONNECTIONS" -d"${BENCH_SECONDS}s" --timeout 30s \
    -H "$cookie" -s "$LUA" "http://127.0.0.1:$PORT$url" | tail -n 1)
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "$cookie" "http://127.0.0.1:$PORT$url")
  [ -n "$YARDSTICK" ] || YARDSTICK=$p95
  ratio=$(awk -v a="$p95" -v b="$YARDSTICK" 'BEGIN { printf "%.1f", a / b }')
  verdict=$(awk -v r="$ratio" 'BEGIN { print (r <= 3.0) ? "within 3×" : "OVER 3×" }')
  [ "$errors" = 0 ] && [ "$status" = 200 ] || FAILED=1
  printf "%-24s %8s %9s %9s %7s %9s %6s %6s× %-10s %s\n" "${name//_/ }" "$rps" "$p50" "$p95" "$errors" "$requests" \
    "$status" "$ratio" "$verdict" "$url"
done < "$PAGES"
[ "$FAILED" = 0 ] || { echo "Some page answered with errors or not 200."; exit 1; }
