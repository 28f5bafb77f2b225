-- wrk script for flagpole's vote ingestion: POST /api/v1/votes.
--
--   wrk -t2 -c64 -d10s --latency -s bench/votes.lua http://127.0.0.1:PORT/api/v1/votes -- TAG
--
-- Every request is a new reader: the User-Agent is "flagpole-bench/TAG/THREAD/COUNTER", so the
-- server's visitor key (client IP + User-Agent + article, per day) is new each time and every
-- acknowledged request must be a new vote row (201). TAG (the first script argument) must differ
-- between runs against the same database so that a later round does not repeat an earlier
-- round's readers; it defaults to the time and a random number.
--
-- Requests are spread over 1,000 articles (http://localhost/bench/article-N, N = 0..999) and
-- alternate helpful true/false.
--
-- done() prints one machine-readable line that bench/run parses:
--   flagpole-votes: sent=S responses=R s201=A s200=B s2xx=C non2xx=D errors_status=E ...
-- sent counts requests written, so sent - responses is what was still in flight (or lost to a
-- socket error) when wrk stopped: the server may have stored those, but wrk never saw an answer.

local ARTICLES = 1000

local threads = {}
local next_id = 0

function setup(thread)
   thread:set("id", next_id)
   next_id = next_id + 1
   table.insert(threads, thread)
end

-- Per-thread state (each wrk thread has its own Lua state).
id = 0
tag = nil
sent = 0
responses = 0
codes = {}

function init(args)
   tag = args[1] or string.format("%d-%d", os.time(), math.random(1, 1000000000))
   math.randomseed(os.time() * 1000 + id)
end

local headers = { ["Content-Type"] = "application/json" }

function request()
   local n = sent
   sent = sent + 1
   local article = math.random(0, ARTICLES - 1)
   local helpful = (n % 2 == 0) and "true" or "false"
   headers["User-Agent"] = string.format("flagpole-bench/%s/%d/%d", tag, id, n)
   local body = string.format(
      '{"article_url":"http://localhost/bench/article-%d","helpful":%s}', article, helpful)
   return wrk.format("POST", nil, headers, body)
end

function response(status, headers, body)
   responses = responses + 1
   codes[status] = (codes[status] or 0) + 1
end

function done(summary, latency, requests)
   local sent_total, resp_total = 0, 0
   local by_code = {}
   for _, t in ipairs(threads) do
      sent_total = sent_total + (t:get("sent") or 0)
      resp_total = resp_total + (t:get("responses") or 0)
      local c = t:get("codes") or {}
      for code, count in pairs(c) do
         by_code[code] = (by_code[code] or 0) + count
      end
   end
   local s2xx, non2xx = 0, 0
   local detail = {}
   for code, count in pairs(by_code) do
      if code >= 200 and code < 300 then
         s2xx = s2xx + count
      else
         non2xx = non2xx + count
      end
      table.insert(detail, string.format("%d:%d", code, count))
   end
   table.sort(detail)
   local e = summary.errors
   io.write(string.format(
      "flagpole-votes: sent=%d responses=%d s201=%d s200=%d s2xx=%d non2xx=%d " ..
      "errors_status=%d errors_connect=%d errors_read=%d errors_write=%d errors_timeout=%d " ..
      "codes=%s\n",
      sent_total, resp_total, by_code[201] or 0, by_code[200] or 0, s2xx, non2xx,
      e.status, e.connect, e.read, e.write, e.timeout,
      (#detail > 0) and table.concat(detail, ",") or "none"))
end
