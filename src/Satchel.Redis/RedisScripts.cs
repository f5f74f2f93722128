using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace Satchel.Redis;

/// <summary>
/// The Lua scripts the Redis store runs. Each touches one key, so each runs on one cluster node.
/// They run by EVALSHA; a server that lost its script cache (restart, failover, SCRIPT FLUSH)
/// answers NOSCRIPT, and the script is sent whole once, which caches it again.
/// </summary>
internal sealed class RedisScripts
{
    // KEYS[1] session hash; ARGV: now (ms), touch interval (ms).
    // Returns {touched (0/1), the hash (HGETALL)} or nil. Refreshes last access and expiry when
    // due, in the same call, and says so: the caller never infers it from timestamps.
    public const string LoadSource = """
        local data = redis.call('HGETALL', KEYS[1])
        if #data == 0 then return false end
        local now = tonumber(ARGV[1])
        local a, i, d, ai
        for n = 1, #data, 2 do
          local f = data[n]
          if f == '_a' then a = tonumber(data[n + 1]); ai = n + 1
          elseif f == '_i' then i = tonumber(data[n + 1])
          elseif f == '_d' then d = tonumber(data[n + 1]) end
        end
        if not a or not i then return false end
        local expires = a + i
        if d and d < expires then expires = d end
        if expires <= now then
          redis.call('DEL', KEYS[1])
          return false
        end
        if now - a >= tonumber(ARGV[2]) then
          expires = now + i
          if d and d < expires then expires = d end
          redis.call('HSET', KEYS[1], '_a', ARGV[1])
          redis.call('PEXPIREAT', KEYS[1], expires)
          data[ai] = ARGV[1]
          return {1, data}
        end
        return {0, data}
        """;

    // KEYS[1] session hash; ARGV: now, mode ('c' create, replacing any hash / 'u' update), cleared ('1'/'0'),
    // metadata given ('1'/'0'), created, idle, deadline ('' = none), persistent, user, user agent,
    // count of set fields, then field/value pairs, then fields to remove.
    // An update to a hash that no longer exists, or that ended by the caller's clock, does nothing
    // and returns 0: an existence check rather than a tombstone, since a destroyed, regenerated or
    // expired session has no hash, and checking inside the script leaves no window between the
    // check and the write.
    public const string CommitSource = """
        local key = KEYS[1]
        if ARGV[2] == 'u' then
          local t = redis.call('HMGET', key, '_a', '_i', '_d')
          if not t[1] or not t[2] then return 0 end
          local ends = tonumber(t[1]) + tonumber(t[2])
          if t[3] and tonumber(t[3]) < ends then ends = tonumber(t[3]) end
          if ends <= tonumber(ARGV[1]) then
            redis.call('DEL', key)
            return 0
          end
        else
          redis.call('DEL', key)
        end
        if ARGV[3] == '1' then
          local fields = redis.call('HKEYS', key)
          for _, f in ipairs(fields) do
            if string.sub(f, 1, 2) == 'v:' then redis.call('HDEL', key, f) end
          end
        end
        if ARGV[4] == '1' then
          redis.call('HSET', key, '_c', ARGV[5], '_i', ARGV[6], '_p', ARGV[8])
          if ARGV[7] == '' then redis.call('HDEL', key, '_d') else redis.call('HSET', key, '_d', ARGV[7]) end
          if ARGV[9] == '' then redis.call('HDEL', key, '_u') else redis.call('HSET', key, '_u', ARGV[9]) end
          if ARGV[10] == '' then redis.call('HDEL', key, '_ua') else redis.call('HSET', key, '_ua', ARGV[10]) end
        end
        redis.call('HSET', key, '_a', ARGV[1])
        local n = 12
        for _ = 1, tonumber(ARGV[11]) do
          redis.call('HSET', key, ARGV[n], ARGV[n + 1])
          n = n + 2
        end
        while n <= #ARGV do
          redis.call('HDEL', key, ARGV[n])
          n = n + 1
        end
        local idle = tonumber(redis.call('HGET', key, '_i'))
        local deadline = redis.call('HGET', key, '_d')
        local expires = tonumber(ARGV[1]) + idle
        if deadline and tonumber(deadline) < expires then expires = tonumber(deadline) end
        redis.call('PEXPIREAT', key, expires)
        return 1
        """;

    public static readonly Script Load = new(LoadSource);
    public static readonly Script Commit = new(CommitSource);

    internal sealed class Script(string source)
    {
        public string Source { get; } = source;

#pragma warning disable CA5350 // SHA-1 names the script for EVALSHA, as Redis defines it; it protects nothing.
        public byte[] Sha1 { get; } = SHA1.HashData(Encoding.UTF8.GetBytes(source));
#pragma warning restore CA5350

        public async Task<RedisResult> RunAsync(IDatabase database, RedisKey key, RedisValue[] args)
        {
            RedisKey[] keys = [key];
            try
            {
                return await database.ScriptEvaluateAsync(Sha1, keys, args).ConfigureAwait(false);
            }
            catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
            {
                return await database.ScriptEvaluateAsync(Source, keys, args).ConfigureAwait(false);
            }
        }
    }
}
