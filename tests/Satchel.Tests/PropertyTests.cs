using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Satchel.Tests.Support;

namespace Satchel.Tests;

/// <summary>Properties over arbitrary input: cookie parsing and token verification never throw and never accept a forgery.</summary>
public class PropertyTests
{
    private static readonly SessionKeyRing Ring = SessionKeyRing.FromSecrets(["property-secret-0123456789abcdefghijklmn"]);
    private static readonly TestSetup Setup = new();

    [Property(MaxTest = 2000)]
    public bool A_whole_number_is_written_as_System_Text_Json_writes_it(long value) =>
        JsonIntegers.Write(value).AsSpan().SequenceEqual(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(value))
        && JsonIntegers.Write((int)value).AsSpan().SequenceEqual(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes((int)value));

    // Text made of what numbers are made of, so the arbitrary cases include near misses: "-0", "01", "1e3", "+5", "2.0".
    [Property(MaxTest = 5000)]
    public bool A_whole_number_read_without_the_serializer_is_what_the_serializer_reads(NonNegativeInt seed, long number)
    {
        var random = new Random(seed.Get);
        var text = random.Next(3) == 0
            ? number.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : new string(Enumerable.Range(0, random.Next(1, 22)).Select(_ => "0123456789-+.eE "[random.Next(16)]).ToArray());
        var json = System.Text.Encoding.UTF8.GetBytes(text);
        return Agrees<int>(json, int.MinValue, int.MaxValue) && Agrees<long>(json, long.MinValue, long.MaxValue);
    }

    // Where the fast path reads a value, the serializer reads the same one; where it declines, the serializer decides.
    private static bool Agrees<T>(byte[] json, long min, long max)
    {
        if (!JsonIntegers.TryRead(json, min, max, out var fast)) return true;
        return Convert.ToInt64(System.Text.Json.JsonSerializer.Deserialize<T>(json), System.Globalization.CultureInfo.InvariantCulture) == fast;
    }

    [Property(MaxTest = 2000)]
    public bool Verifying_an_arbitrary_string_never_throws_and_never_succeeds(string? value) =>
        !Ring.TryVerify(value ?? "", out _);

    [Property(MaxTest = 2000)]
    public bool An_arbitrary_Cookie_header_is_no_session_and_never_throws(string? header)
    {
        var session = Setup.Manager.Open(header, false, cookieSink: new RecordingCookieSink());
        return session.IsNew && session["k"] is null;
    }

    [Property(MaxTest = 2000)]
    public bool An_arbitrary_value_of_the_session_cookie_is_no_session(string? value, string? before, string? after)
    {
        var session = Setup.Manager.Open($"{before}; sid={value}; {after}", false, cookieSink: new RecordingCookieSink());
        return session.IsNew;
    }

    [Property(MaxTest = 500)]
    public Property Changing_any_character_of_a_signed_value_breaks_it() =>
        Prop.ForAll(Gen.Choose(0, SessionKeyRing.SignedLength - 1).ToArbitrary(), Gen.Elements("AZaz09-_.=+/ é".ToCharArray()).ToArbitrary(), (index, c) =>
        {
            var signed = Ring.Sign(SessionToken.NewToken());
            if (signed[index] == c) return true;
            var tampered = string.Concat(signed.AsSpan(0, index), c.ToString(), signed.AsSpan(index + 1));
            return !Ring.TryVerify(tampered, out _);
        });

    [Property(MaxTest = 500)]
    public Property Every_issued_token_verifies_to_itself() =>
        Prop.ForAll(Gen.Constant(0).ToArbitrary(), _ =>
        {
            var token = SessionToken.NewToken();
            return Ring.TryVerify(Ring.Sign(token), out var back) && back == token;
        });
}
