-- wrk script for KeepAliveIT: counts the responses per answering pid (the body is
-- "pid=<pid> app=<name>"), and paces each connection so that a 2-core machine keeps CPU for the
-- JVMs under test. wrk keeps every connection alive (HTTP/1.1) and reconnects only when a
-- response says Connection: close; any other loss of a connection counts as an error.
threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  pids = {}
end

function delay()
  return 2
end

function response(status, headers, body)
  local pid = body and string.match(body, "pid=(%d+)")
  if pid then
    pids[pid] = (pids[pid] or 0) + 1
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("errors connect=%d read=%d write=%d status=%d timeout=%d\n",
    e.connect, e.read, e.write, e.status, e.timeout))
  for _, thread in ipairs(threads) do
    for pid, count in pairs(thread:get("pids")) do
      io.write(string.format("pid %s %d\n", pid, count))
    end
  end
end
