-- wrk script: POSTs a body template in which every __ID__ becomes a unique id (run prefix and a
-- counter), so no two events share an event_id and the gateway's deduplication never drops one.
-- Usage: wrk ... -s post.lua URL -- <template file> <id prefix> ["Header: value" ...]
-- done() prints one JSON line with the summary and latency percentiles in microseconds.
local parts = {}
local prefix = ""
local headers = {}
local counter = 0

function init(args)
  local f = assert(io.open(args[1], "rb"))
  local tpl = f:read("*a")
  f:close()
  local start = 1
  while true do
    local s, e = tpl:find("__ID__", start, true)
    if not s then break end
    parts[#parts + 1] = tpl:sub(start, s - 1)
    start = e + 1
  end
  parts[#parts + 1] = tpl:sub(start)
  prefix = args[2] or ""
  for i = 3, #args do
    local k, v = args[i]:match("^([^:]+):%s*(.*)$")
    if k then headers[k] = v end
  end
  if not headers["Content-Type"] then headers["Content-Type"] = "application/json" end
end

function request()
  local buf = {}
  local n = #parts
  for i = 1, n - 1 do
    counter = counter + 1
    buf[#buf + 1] = parts[i]
    buf[#buf + 1] = prefix
    buf[#buf + 1] = counter
  end
  buf[#buf + 1] = parts[n]
  return wrk.format("POST", nil, headers, table.concat(buf))
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\nWRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d,"mean":%.1f}}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    latency.max, latency.mean))
end
