-- wrk script: POST JSON bodies, one per line of a file, round-robin across requests.
--   wrk -t1 -c16 -d15s -s bench/post_bodies.lua URL -- bench/eligibility_bodies.jsonl
-- done() prints one machine-readable line starting with "RESULT" (latencies in microseconds).

local requests_ = {}
local next_ = 1

function init(args)
  local path = args[1] or "bench/eligibility_bodies.jsonl"
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Accept"] = "application/json"
  for line in io.lines(path) do
    if line:match("%S") then
      table.insert(requests_, wrk.format("POST", nil, nil, line))
    end
  end
  assert(#requests_ > 0, "no request bodies in " .. path)
  -- Give each wrk thread a different starting body.
  next_ = (id or 0) % #requests_ + 1
end

function setup(thread)
  thread:set("id", (counter_ or 0))
  counter_ = (counter_ or 0) + 1
end

function request()
  local r = requests_[next_]
  next_ = next_ % #requests_ + 1
  return r
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d bytes=%d connect_errors=%d read_errors=%d " ..
    "write_errors=%d status_errors=%d timeouts=%d p50_us=%d p90_us=%d p99_us=%d " ..
    "max_us=%d mean_us=%.1f\n",
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
