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
    // The opening every script on a live session shares, written once: the session's times (and
    // any extra fields the script reads, in t[4] on), whether it is live by the caller's clock
    // (ARGV[1], ms) — returning `ended` when not — and `extended`, the expiry a write moves it to:
    // min(now + idle, deadline). Plain locals, no Lua functions: a closure per call costs Redis
    // about 7 % more per write (redis-benchmark).
    private static string Live(string ended, string extraFields = "") => $$"""
        local key, now = KEYS[1], tonumber(ARGV[1])
        local t = redis.call('HMGET', key, '{{RedisFields.LastAccess}}', '{{RedisFields.Idle}}', '{{RedisFields.Deadline}}'{{extraFields}})
        if not t[1] or not t[2] then return {{ended}} end
        local idle = tonumber(t[2])
        local deadline = t[3] and tonumber(t[3])
        local ends = tonumber(t[1]) + idle
        if deadline and deadline < ends then ends = deadline end
        if ends <= now then return {{ended}} end
        local extended = now + idle
        if deadline and deadline < extended then extended = deadline end

        """;

    // KEYS[1] session hash; ARGV: now (ms), the last access the caller read (ms).
    // The throttled expiry refresh of a read, run only when one is due: a read itself is a plain
    // HGETALL. Refreshes only the hash the caller read (same last access), so a write in between,
    // which moved the expiry itself, is left alone. Returns 1 when it refreshed, 0 when not.
    public static readonly string TouchSource = Live("0") + $$"""
        if t[1] ~= ARGV[2] then return 0 end
        redis.call('HSET', key, '{{RedisFields.LastAccess}}', ARGV[1])
        redis.call('PEXPIREAT', key, extended)
        return 1
        """;

    // KEYS[1] session hash; ARGV: now, field, by. Returns {0} (no live session), {1, sum} or {2} (not a whole number, or overflow).
    public static readonly string IncrementSource = Live("{0}", ", ARGV[2]") + $$"""
        if t[4] and not string.match(t[4], '^%-?%d+$') then return {2} end
        local sum = redis.pcall('HINCRBY', key, ARGV[2], ARGV[3])
        if type(sum) == 'table' and sum.err then return {2} end
        redis.call('HSET', key, '{{RedisFields.LastAccess}}', ARGV[1])
        redis.call('PEXPIREAT', key, extended)
        return {1, sum}
        """;

    // KEYS[1] session hash; ARGV: now, field, expected given ('1'/'0'), expected, value.
    // Returns {0} (no live session), {1} (set) or {2, current} (differed; current absent when the field is).
    public static readonly string ReplaceSource = Live("{0}", ", ARGV[2]") + $$"""
        local current = t[4]
        if (ARGV[3] == '1' and current ~= ARGV[4]) or (ARGV[3] == '0' and current) then return {2, current} end
        redis.call('HSET', key, '{{RedisFields.LastAccess}}', ARGV[1], ARGV[2], ARGV[5])
        redis.call('PEXPIREAT', key, extended)
        return {1}
        """;

    // KEYS[1] session hash; ARGV: now, count of set fields, field/value pairs, fields to remove.
    // The common write: values only, no clear, no new metadata. The lean twin of the commit script
    // below (same checks, same result), with no argument table built: a write's share of the
    // shared Redis's CPU is mostly this script, and this shape costs about 30 % less of it.
    public static readonly string UpdateValuesSource = Live("0") + $$"""
        local last = 2 + 2 * tonumber(ARGV[2])
        if #ARGV > last then redis.call('HDEL', key, unpack(ARGV, last + 1)) end
        redis.call('HSET', key, '{{RedisFields.LastAccess}}', ARGV[1], unpack(ARGV, 3, last))
        redis.call('PEXPIREAT', key, extended)
        return 1
        """;

    // KEYS[1] session hash; ARGV: now, mode ('c' create, replacing any hash / 'u' update), cleared ('1'/'0'),
    // metadata given ('1'/'0'), created, idle, deadline ('' = none), persistent, user, user agent,
    // count of set fields, then field/value pairs, then fields to remove.
    // An update to a hash that no longer exists, or that ended by the caller's clock, does nothing
    // and returns 0: an existence check rather than a tombstone, since a destroyed, regenerated or
    // expired session has no hash, and checking inside the script leaves no window between the
    // check and the write. Redis CPU is the shared resource, so the script makes as few calls as it
    // can: one HMGET, one HSET of every field set, one HDEL of every field removed, one PEXPIREAT.
    public static readonly string CommitSource = $$"""
        local key, now = KEYS[1], ARGV[1]
        local idle, deadline
        if ARGV[2] == 'u' then
          local t = redis.call('HMGET', key, '{{RedisFields.LastAccess}}', '{{RedisFields.Idle}}', '{{RedisFields.Deadline}}')
          if not t[1] or not t[2] then return 0 end
          local ends = tonumber(t[1]) + tonumber(t[2])
          if t[3] and tonumber(t[3]) < ends then ends = tonumber(t[3]) end
          if ends <= tonumber(now) then
            redis.call('DEL', key)
            return 0
          end
          idle, deadline = t[2], t[3]
        else
          redis.call('DEL', key)
        end
        local set, del = {'{{RedisFields.LastAccess}}', now}, {}
        if ARGV[3] == '1' then
          for _, f in ipairs(redis.call('HKEYS', key)) do
            if string.sub(f, 1, {{RedisFields.ValuePrefix.Length}}) == '{{RedisFields.ValuePrefix}}' then del[#del + 1] = f end
          end
        end
        if ARGV[4] == '1' then
          idle = ARGV[6]
          deadline = ARGV[7] ~= '' and ARGV[7]
          for _, v in ipairs({'{{RedisFields.Created}}', ARGV[5], '{{RedisFields.Idle}}', ARGV[6], '{{RedisFields.Persistent}}', ARGV[8]}) do set[#set + 1] = v end
          for _, p in ipairs({ {'{{RedisFields.Deadline}}', ARGV[7]}, {'{{RedisFields.User}}', ARGV[9]}, {'{{RedisFields.UserAgent}}', ARGV[10]} }) do
            if p[2] == '' then del[#del + 1] = p[1] else set[#set + 1] = p[1]; set[#set + 1] = p[2] end
          end
        end
        local n = 12
        for _ = 1, tonumber(ARGV[11]) do
          set[#set + 1] = ARGV[n]
          set[#set + 1] = ARGV[n + 1]
          n = n + 2
        end
        while n <= #ARGV do
          del[#del + 1] = ARGV[n]
          n = n + 1
        end
        -- Removals first: a cleared field set again in the same change stays. In chunks: unpack has a stack limit.
        for i = 1, #del, 1000 do redis.call('HDEL', key, unpack(del, i, math.min(i + 999, #del))) end
        for i = 1, #set, 1000 do redis.call('HSET', key, unpack(set, i, math.min(i + 999, #set))) end
        local ends = tonumber(now) + tonumber(idle)
        if deadline and tonumber(deadline) < ends then ends = tonumber(deadline) end
        redis.call('PEXPIREAT', key, ends)
        return 1
        """;

    // KEYS[1] user index; ARGV: now (ms), session key, bound (ms): the time the session cannot
    // outlive unless its entry is refreshed (see RedisUserIndex). Prunes the members past their
    // bound, raises this member's bound (never lowers it: another process may have raised it
    // more), and expires the index with its newest member, so the index of a user whose sessions
    // all ended goes away by itself. Legacy members scored +inf leave it without an expiry until read.
    public const string IndexSource = """
        local key = KEYS[1]
        redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. ARGV[1])
        local current = redis.call('ZSCORE', key, ARGV[2])
        if not current or tonumber(current) < tonumber(ARGV[3]) then redis.call('ZADD', key, ARGV[3], ARGV[2]) end
        local newest = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
        if newest[2] and newest[2] ~= 'inf' then redis.call('PEXPIREAT', key, newest[2]) end
        return 1
        """;

    public static readonly Script Touch = new(TouchSource);
    public static readonly Script Index = new(IndexSource);
    public static readonly Script UpdateValues = new(UpdateValuesSource);
    public static readonly Script Increment = new(IncrementSource);
    public static readonly Script Replace = new(ReplaceSource);
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
