-- wrk script for BusyListenerIT: no pacing and no per-response work, so each connection sends
-- its next request the moment a response is in; reports wrk's error counts the way
-- keep-alive-pids.lua does. wrk keeps every connection alive (HTTP/1.1) and reconnects only when
-- a response says Connection: close; any other loss of a connection counts as an error.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("errors connect=%d read=%d write=%d status=%d timeout=%d\n",
    e.connect, e.read, e.write, e.status, e.timeout))
end
