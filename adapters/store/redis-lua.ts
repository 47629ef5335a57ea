/**
 * Lua fragments the Redis store's scripts (redis-scripts.ts) are made of: reading an entry's id,
 * refusing a damaged key before any write, popping acknowledged items, taking the lock.
 */

/**
 * Whether a stored inbox or outbox entry is the one with the given id, passed as a JSON string
 * (ARGV values like '"tg:42"'). Entries are written with their id first, so a prefix comparison
 * answers without decoding; anything else (an entry from an older version) is decoded.
 */
export const IS_ENTRY = `
local function is_entry(raw, quoted)
  local prefix = '{"id":' .. quoted .. ','
  if string.sub(raw, 1, #prefix) == prefix then return true end
  local ok, entry = pcall(cjson.decode, raw)
  return ok and type(entry) == 'table' and entry.id == cjson.decode(quoted)
end`;

/**
 * Refuses a script before it writes anything when one of its keys holds another type than the
 * script writes there (a key damaged by hand, or another program's key under the prefix): Redis
 * does not undo the writes a script made before a command fails, and a commit that had popped the
 * event and stored the state before failing on the transcript lost the customer's message (found by
 * the issue-17 trial). `types` is a list of KEYS indexes and the type each must have when it exists;
 * → an error reply naming the key, or nil. A missing key (an optional KEYS[n]) is skipped.
 */
const KEY_TYPES = `
local function wrong_type(types)
  for i = 1, #types, 2 do
    local key = KEYS[types[i]]
    if key then
      local t = redis.call('TYPE', key)['ok']
      if t ~= 'none' and t ~= types[i + 1] then
        return redis.error_reply('WRONGTYPE ' .. key .. ' holds a ' .. t .. ', not a ' .. types[i + 1] .. ': nothing was written')
      end
    end
  end
end`;

/** The script's first lines: `types` checked (KEY_TYPES) before anything is written. */
export const CHECKED = (types: ReadonlyArray<readonly [key: number, type: string]>) => `${KEY_TYPES}
local refused = wrong_type({ ${types.map(([k, t]) => `${k}, '${t}'`).join(', ')} })
if refused then return refused end`;

/**
 * Pops acknowledged items off the head of the outbox (KEYS[3]): ARGV[first..] are their ids in
 * order (as JSON strings); it stops at the first that is not at the head. Only run by the lease's holder.
 */
export const POP_DELIVERED = (first: number) => `
for i = ${first}, #ARGV do
  local head = redis.call('LINDEX', KEYS[3], 0)
  if not (head and is_entry(head, ARGV[i])) then break end
  redis.call('LPOP', KEYS[3])
end`;

/** Takes the lock (KEYS[1], token ARGV[a], ttl ARGV[a+1]) and returns what a worker needs to start. */
export const BEGIN = (a: number, limit: number) => `
if not redis.call('SET', KEYS[1], ARGV[${a}], 'PX', ARGV[${a + 1}], 'NX') then return false end
return { redis.call('LRANGE', KEYS[3], 0, tonumber(ARGV[${limit}]) - 1), redis.call('LINDEX', KEYS[2], 0) or '', redis.call('GET', KEYS[4]) or '' }`;
