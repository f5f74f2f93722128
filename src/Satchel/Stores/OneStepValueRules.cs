using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Satchel.Stores;

/// <summary>The arithmetic and comparison behind <see cref="ISessionOneStepValues"/>, for stores that apply it in process (memory, SQLite).</summary>
public static class OneStepValueRules
{
    /// <summary>
    /// The JSON of <paramref name="current"/> (absent: 0) plus <paramref name="by"/>, and the sum.
    /// </summary>
    /// <exception cref="FormatException">The current value is not a JSON whole number, or the sum does not fit 64 bits.</exception>
    public static (byte[] Json, long Value) Increment(string name, ReadOnlySpan<byte> current, bool present, long by)
    {
        ArgumentNullException.ThrowIfNull(name);
        long value = 0;
        if (present && !(Utf8Parser.TryParse(current, out value, out var consumed) && consumed == current.Length))
            throw new FormatException($"Session value '{name}' is not a whole number (it holds {Preview(current)}), so it cannot be incremented.");
        long sum;
        try
        {
            sum = checked(value + by);
        }
        catch (OverflowException ex)
        {
            throw new FormatException($"Session value '{name}' plus {by} does not fit a 64-bit whole number.", ex);
        }
        return (Encoding.UTF8.GetBytes(sum.ToString(CultureInfo.InvariantCulture)), sum);
    }

    /// <summary>Whether the value held (<paramref name="present"/>, <paramref name="current"/>) is the one <paramref name="expected"/> describes.</summary>
    public static bool Matches(ReadOnlySpan<byte> current, bool present, ReadOnlyMemory<byte>? expected) =>
        expected is { } e ? present && current.SequenceEqual(e.Span) : !present;

    private static string Preview(ReadOnlySpan<byte> json) =>
        json.Length <= 40 ? Encoding.UTF8.GetString(json) : Encoding.UTF8.GetString(json[..40]) + "…";
}
