-- wrk script of `make bench`: POSTs pre-signed amoCRM webhook bodies and counts what came back.
--
--   BENCH_BODIES=FILE BENCH_WRK_RESULT=FILE BENCH_THREADS=2 \
--   wrk -t2 -c16 -d30s --timeout 10s -s scripts/bench/signed-bodies.lua http://127.0.0.1:PORT/api/webhooks/amo
--
-- BENCH_BODIES comes from `BenchTool gen`: one request per line, "<hex HMAC-SHA256>\t<X-Amocrm-Requestid>\t<body>".
-- Thread k of n sends lines k+1, k+1+n, k+1+2n, ... in order, so every request is distinct; only when a thread has
-- sent all of its lines does it start over (counted as "wrapped": the server then answers them as duplicates).
-- BENCH_WRK_RESULT gets key=value lines with the same keys as BenchTool's Java load generators.

local threads = {}
local thread_count = 0

function setup(thread)
   thread:set("thread_index", thread_count)
   thread_count = thread_count + 1
   table.insert(threads, thread)
end

function init(args)
   local file = os.getenv("BENCH_BODIES")
   local nthreads = tonumber(os.getenv("BENCH_THREADS"))
   signatures, request_ids, bodies = {}, {}, {}
   local line_no = 0
   for line in io.lines(file) do
      if line_no % nthreads == thread_index then
         local signature, request_id, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
         if body then
            table.insert(signatures, signature)
            table.insert(request_ids, request_id)
            table.insert(bodies, body)
         end
      end
      line_no = line_no + 1
   end
   count = #bodies
   if count == 0 then
      error("no request bodies for thread " .. thread_index .. " in " .. file)
   end
   position, sent, ok, accepted, duplicate, non2xx, events, wrapped = 0, 0, 0, 0, 0, 0, 0, 0
   headers = {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["User-Agent"] = "amoCRM-Webhooks/3.0",
   }
end

function request()
   position = position + 1
   if position > count then
      position = 1
   end
   if sent >= count then
      wrapped = wrapped + 1
   end
   sent = sent + 1
   headers["X-Signature"] = signatures[position]
   headers["X-Amocrm-Requestid"] = request_ids[position]
   return wrk.format("POST", nil, headers, bodies[position])
end

function response(status, response_headers, body)
   if status >= 200 and status < 300 then
      ok = ok + 1
      if body and body:find('"status":"duplicate"', 1, true) then
         duplicate = duplicate + 1
      else
         accepted = accepted + 1
         local n = body and body:match('"events":(%d+)')
         if n then
            events = events + tonumber(n)
         end
      end
   else
      non2xx = non2xx + 1
   end
end

function done(summary, latency, requests)
   local total = { sent = 0, ok = 0, accepted = 0, duplicate = 0, non2xx = 0, events = 0, wrapped = 0 }
   for _, thread in ipairs(threads) do
      for key, _ in pairs(total) do
         total[key] = total[key] + (thread:get(key) or 0)
      end
   end
   local e = summary.errors
   local out = assert(io.open(os.getenv("BENCH_WRK_RESULT"), "w"))
   local function put(key, value) out:write(key, "=", tostring(value), "\n") end
   local function ms(us) return string.format("%.2f", us / 1000.0) end
   put("tool", "wrk")
   put("duration_s", string.format("%.3f", summary.duration / 1e6))
   put("sent", total.sent)
   put("ok", total.ok)
   put("accepted", total.accepted)
   put("duplicate", total.duplicate)
   put("non2xx", total.non2xx)
   put("socket_errors", e.connect + e.read + e.write)
   put("timeouts", e.timeout)
   put("events", total.events)
   put("wrapped", total.wrapped)
   put("over_2s", "n/a")
   put("lat_p50_ms", ms(latency:percentile(50)))
   put("lat_p90_ms", ms(latency:percentile(90)))
   put("lat_p99_ms", ms(latency:percentile(99)))
   put("lat_max_ms", ms(latency.max))
   out:close()
end
