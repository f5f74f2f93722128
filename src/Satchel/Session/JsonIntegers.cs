using System.Buffers.Text;

namespace Satchel;

/// <summary>
/// Whole numbers (int, long) read and written as JSON without the serializer, for the typed
/// <c>Get</c>/<c>Set</c> on the default contract: counters are the commonest session value, and
/// the serializer's setup costs several times the number's own work. The bytes are exactly what
/// System.Text.Json writes (plain digits, a leading minus), and reading accepts exactly what its
/// strict number handling accepts for the type; anything else (a fraction, an exponent, a number
/// out of range, a string) is left to the serializer, which reads it or says why not as before.
/// </summary>
internal static class JsonIntegers
{
    /// <summary>Reads <paramref name="json"/> as a JSON integer in <paramref name="min"/>..<paramref name="max"/>.</summary>
    public static bool TryRead(ReadOnlySpan<byte> json, long min, long max, out long value)
    {
        value = 0;
        var digits = json.Length > 0 && json[0] == (byte)'-' ? json[1..] : json;
        // JSON's integer grammar: 0, or a digit 1-9 followed by digits; no sign but '-', no spaces.
        if (digits.IsEmpty || digits.Length > 19 || (digits[0] == (byte)'0' && digits.Length > 1)) return false;
        foreach (var b in digits)
        {
            if (b is < (byte)'0' or > (byte)'9') return false;
        }
        return Utf8Parser.TryParse(json, out value, out var consumed) && consumed == json.Length && value >= min && value <= max;
    }

    /// <summary>The JSON of <paramref name="value"/>, as System.Text.Json writes it.</summary>
    public static byte[] Write(long value)
    {
        Span<byte> buffer = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, buffer, out var written);
        return buffer[..written].ToArray();
    }
}
