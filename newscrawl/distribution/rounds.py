"""Lua scripts that run a round of Redis workers atomically, on Redis' own clock.

Keys of a round, beside the permanent state's (newscrawl.state.redis):
    <ns>:round                  string  id of the current round
    <ns>:round:<id>:requests    zset    scrapy-redis' priority queue
    <ns>:round:<id>:dupefilter  set     fingerprints of the requests scheduled this round
    <ns>:round:<id>:workers     zset    worker id -> Redis time of its last heartbeat
    <ns>:round:<id>:busy        zset    worker id -> Redis time it last had work
    <ns>:round:<id>:pages       string  pages read by the round's workers
    <ns>:round:<id>:done        string  set once the round was seen finished
"""

# ARGV[1], ARGV[2]: namespace, round. Redis' clock (TIME): machines need not agree on time.
PRELUDE = """
local ns, round = ARGV[1], ARGV[2]
local function k(r, part) return ns .. ':round:' .. r .. ':' .. part end
local t = redis.call('TIME')
local now = t[1] + t[2] / 1000000
local function drop(r)
  for _, part in ipairs({'requests', 'dupefilter', 'workers', 'busy', 'pages', 'done'}) do
    redis.call('DEL', k(r, part))
  end
end
"""
# ARGV[2] is a fresh round id; then worker, worker ttl, round ttl, force. A finished ("done")
# round whose workers are leaving is not joined: its dupefilter has seen every request, so a
# worker joining it would crawl nothing. One waits for it to end, or joins if forced.
JOIN = PRELUDE + """
local current = redis.call('GET', ns .. ':round')
if current and redis.call('ZCOUNT', k(current, 'workers'), now - ARGV[4], '+inf') == 0 then
  drop(current)
  current = false
elseif current and ARGV[6] == '0' and redis.call('EXISTS', k(current, 'done')) == 1 then
  return {'draining', current}
end
if not current then
  current = round
  redis.call('SET', ns .. ':round', current)
end
for _, part in ipairs({'workers', 'busy'}) do
  redis.call('ZADD', k(current, part), now, ARGV[3])
  redis.call('EXPIRE', k(current, part), ARGV[5])
end
return {'joined', current}"""
# Then worker, busy (0/1), idle seconds, worker ttl, round ttl, pages read since the last
# beat. Returns {1 if the worker had been dropped from its round, queued requests, seconds
# since any worker was busy, 1 if the round is done, pages read by the round}.
HEARTBEAT = PRELUDE + """
local dropped = redis.call('ZADD', k(round, 'workers'), now, ARGV[3])
if ARGV[4] == '1' then redis.call('ZADD', k(round, 'busy'), now, ARGV[3]) end
redis.call('SET', ns .. ':alive:' .. ARGV[3], '1', 'PX', math.floor(ARGV[6] * 1000))
local pages = redis.call('INCRBY', k(round, 'pages'), ARGV[8])
local queued = redis.call('ZCARD', k(round, 'requests'))
local last = redis.call('ZRANGE', k(round, 'busy'), -1, -1, 'WITHSCORES')
local quiet = now - (tonumber(last[2]) or 0)
local done = 0
if queued == 0 and quiet >= tonumber(ARGV[5]) then
  done = 1
  redis.call('SET', k(round, 'done'), '1')
end
for _, part in ipairs({'requests', 'dupefilter', 'workers', 'busy', 'pages', 'done'}) do
  redis.call('EXPIRE', k(round, part), ARGV[7])
end
return {dropped, queued, tostring(quiet), done, pages}"""
BUSY = PRELUDE + "redis.call('ZADD', k(round, 'busy'), now, ARGV[3])"
# Then worker, worker ttl. The last live worker out deletes the round.
LEAVE = PRELUDE + """
redis.call('ZREM', k(round, 'workers'), ARGV[3])
redis.call('ZREM', k(round, 'busy'), ARGV[3])
if redis.call('ZCOUNT', k(round, 'workers'), now - ARGV[4], '+inf') > 0 then return 0 end
drop(round)
if redis.call('GET', ns .. ':round') == round then redis.call('DEL', ns .. ':round') end
return 1"""
