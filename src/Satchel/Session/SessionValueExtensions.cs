using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Satchel;

/// <summary>
/// Typed session values: each value is JSON (System.Text.Json), so <see cref="Session"/> and
/// <c>ISession</c> share them. The overloads taking a <see cref="JsonTypeInfo{T}"/> are for trimmed
/// and Native AOT apps (a <c>JsonSerializerContext</c>).
/// </summary>
public static class SessionValueExtensions
{
    private const string ReflectionMessage = "JSON serialization of T may need code that trimming or AOT removes; use the overload taking a JsonTypeInfo<T>.";

    /// <summary>The value of <paramref name="key"/>, or <c>default</c> when the session lacks it.</summary>
    [RequiresUnreferencedCode(ReflectionMessage)]
    [RequiresDynamicCode(ReflectionMessage)]
    public static T? Get<T>(this Session session, string key) => session.TryGet<T>(key, out var value) ? value : default;

    /// <summary>The value of <paramref name="key"/>, or <c>default</c> when the session lacks it.</summary>
    public static T? Get<T>(this Session session, string key, JsonTypeInfo<T> typeInfo) => session.TryGet(key, typeInfo, out var value) ? value : default;

    /// <summary>Reads <paramref name="key"/>; <see langword="false"/> when the session lacks it.</summary>
    [RequiresUnreferencedCode(ReflectionMessage)]
    [RequiresDynamicCode(ReflectionMessage)]
    public static bool TryGet<T>(this Session session, string key, [MaybeNullWhen(false)] out T value)
    {
        // Whole numbers on the default contract skip the serializer (typeof tests fold away per T).
        if (typeof(T) == typeof(int) || typeof(T) == typeof(long))
        {
            ArgumentNullException.ThrowIfNull(session);
            if (!session.TryGetJson(key, out var json))
            {
                value = default;
                return false;
            }
            var (min, max) = typeof(T) == typeof(int) ? (int.MinValue, int.MaxValue) : (long.MinValue, long.MaxValue);
            if (JsonIntegers.TryRead(json, min, max, out var number))
            {
                value = typeof(T) == typeof(int) ? (T)(object)(int)number : (T)(object)number;
                return true;
            }
        }
        return session.TryGet(key, DefaultTypeInfo<T>.Value, out value);
    }

    /// <summary>Reads <paramref name="key"/>; <see langword="false"/> when the session lacks it.</summary>
    public static bool TryGet<T>(this Session session, string key, JsonTypeInfo<T> typeInfo, [MaybeNullWhen(false)] out T value)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(typeInfo);
        if (!session.TryGetJson(key, out var json))
        {
            value = default;
            return false;
        }
        try
        {
            value = JsonSerializer.Deserialize(json, typeInfo)!;
            return true;
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"Session key '{key}' holds a value that cannot be read as {typeof(T).Name}: {ex.Message}", ex);
        }
    }

    /// <summary>Stores <paramref name="value"/> as JSON under <paramref name="key"/>.</summary>
    /// <exception cref="SessionLimitExceededException">The key or value is past a configured limit.</exception>
    [RequiresUnreferencedCode(ReflectionMessage)]
    [RequiresDynamicCode(ReflectionMessage)]
    public static void Set<T>(this Session session, string key, T value)
    {
        if (typeof(T) == typeof(int) || typeof(T) == typeof(long))
        {
            ArgumentNullException.ThrowIfNull(session);
            session.SetOwnedJson(key, JsonIntegers.Write(typeof(T) == typeof(int) ? (int)(object)value! : (long)(object)value!));
            return;
        }
        session.Set(key, value, DefaultTypeInfo<T>.Value);
    }

    /// <summary>Stores <paramref name="value"/> as JSON under <paramref name="key"/>.</summary>
    /// <exception cref="SessionLimitExceededException">The key or value is past a configured limit.</exception>
    public static void Set<T>(this Session session, string key, T value, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(typeInfo);
        session.SetOwnedJson(key, JsonSerializer.SerializeToUtf8Bytes(value, typeInfo));
    }

    // JsonSerializerOptions.Default is read-only, so its contract for T can be looked up once per T
    // instead of through its cache (and a cast) on every Get and Set. Lazily, not in a static
    // initializer, so a type JSON cannot handle throws its own NotSupportedException every time.
    [RequiresUnreferencedCode(ReflectionMessage)]
    [RequiresDynamicCode(ReflectionMessage)]
    private static class DefaultTypeInfo<T>
    {
        private static JsonTypeInfo<T>? s_value;

        public static JsonTypeInfo<T> Value => s_value ??= (JsonTypeInfo<T>)JsonSerializerOptions.Default.GetTypeInfo(typeof(T));
    }

    /// <summary>
    /// Sets <paramref name="key"/> to <paramref name="value"/> only while it holds <paramref name="expected"/>
    /// (compared as JSON), in one step inside the store (<see cref="Session.ReplaceJsonAsync"/>).
    /// </summary>
    [RequiresUnreferencedCode(ReflectionMessage)]
    [RequiresDynamicCode(ReflectionMessage)]
    public static ValueTask<bool> ReplaceAsync<T>(this Session session, string key, T expected, T value) =>
        session.ReplaceAsync(key, expected, value, DefaultTypeInfo<T>.Value);

    /// <summary>
    /// Sets <paramref name="key"/> to <paramref name="value"/> only while it holds <paramref name="expected"/>
    /// (compared as JSON), in one step inside the store (<see cref="Session.ReplaceJsonAsync"/>).
    /// </summary>
    public static ValueTask<bool> ReplaceAsync<T>(this Session session, string key, T expected, T value, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(typeInfo);
        return session.ReplaceJsonAsync(key, JsonSerializer.SerializeToUtf8Bytes(expected, typeInfo), JsonSerializer.SerializeToUtf8Bytes(value, typeInfo), cancellationToken);
    }

    /// <summary>
    /// Reads <paramref name="key"/> and removes it: a one-shot value, such as a flash message shown
    /// once after a redirect. <c>default</c> when the session lacks it.
    /// </summary>
    [RequiresUnreferencedCode(ReflectionMessage)]
    [RequiresDynamicCode(ReflectionMessage)]
    public static T? Take<T>(this Session session, string key) => session.Take(key, DefaultTypeInfo<T>.Value);

    /// <summary>Reads <paramref name="key"/> and removes it (see <see cref="Take{T}(Session, string)"/>).</summary>
    public static T? Take<T>(this Session session, string key, JsonTypeInfo<T> typeInfo)
    {
        if (!session.TryGet(key, typeInfo, out var value)) return default;
        session.Remove(key);
        return value;
    }
}
