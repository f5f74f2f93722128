using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Satchel.Tests;

public class TokenTests
{
    [Fact]
    public void Tokens_carry_256_random_bits_and_never_repeat()
    {
        var tokens = Enumerable.Range(0, 10_000).Select(_ => SessionToken.NewToken()).ToList();
        Assert.Equal(tokens.Count, tokens.Distinct(StringComparer.Ordinal).Count());
        Assert.All(tokens, t => Assert.Equal(32, Base64Url.DecodeFromChars(t).Length));
    }

    [Fact]
    public void The_store_key_is_the_SHA256_of_the_token_and_the_id_is_a_short_prefix_of_it()
    {
        var token = SessionToken.NewToken();
        var key = SessionKey.FromToken(token).ToString();
        Assert.Equal(Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(token))), key);
        var id = SessionKey.Parse(key).Id;
        Assert.Equal(16, id.Length);
        Assert.StartsWith(id, key, StringComparison.Ordinal);
        Assert.DoesNotContain(id, token, StringComparison.Ordinal);
        Assert.DoesNotContain(token[..8], key, StringComparison.Ordinal);
    }

    [Fact]
    public void A_store_key_text_that_is_not_base64url_does_not_parse_and_does_not_throw()
    {
        var valid = SessionKey.FromToken(SessionToken.NewToken()).ToString();
        foreach (var text in new[] { "%" + valid[1..], valid[..^1] + "=", valid[..^1], valid + "A", "", new string('/', 43) })
        {
            Assert.False(SessionKey.TryParse(text, out _), text);
            Assert.Throws<FormatException>(() => SessionKey.Parse(text));
        }
    }

    [Fact]
    public void A_signed_value_verifies_and_gives_back_its_token()
    {
        var ring = SessionKeyRing.FromSecrets(["first-secret-0123456789abcdefghijklmnop"]);
        var token = SessionToken.NewToken();
        Assert.True(ring.TryVerify(ring.Sign(token), out var back));
        Assert.Equal(token, back);
    }

    [Fact]
    public void Every_single_character_change_truncation_or_stripped_signature_is_rejected()
    {
        var ring = SessionKeyRing.FromSecrets(["first-secret-0123456789abcdefghijklmnop"]);
        var signed = ring.Sign(SessionToken.NewToken());
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=";
        for (var i = 0; i < signed.Length; i++)
        {
            foreach (var c in alphabet)
            {
                if (c == signed[i]) continue;
                var tampered = string.Concat(signed.AsSpan(0, i), c.ToString(), signed.AsSpan(i + 1));
                Assert.False(ring.TryVerify(tampered, out _), $"accepted a change at {i} to '{c}'");
            }
        }
        for (var length = 0; length < signed.Length; length++) Assert.False(ring.TryVerify(signed[..length], out _));
        Assert.False(ring.TryVerify(signed[..SessionToken.Length], out _));
        Assert.False(ring.TryVerify(signed + "A", out _));
    }

    [Fact]
    public void Key_rotation_verifies_with_old_keys_signs_with_the_first_and_drops_removed_ones()
    {
        var old = SessionKeyRing.FromSecrets(["old-secret-0123456789abcdefghijklmnopqr"]);
        var rotated = SessionKeyRing.FromSecrets(["new-secret-0123456789abcdefghijklmnopqr", "old-secret-0123456789abcdefghijklmnopqr"]);
        var retired = SessionKeyRing.FromSecrets(["new-secret-0123456789abcdefghijklmnopqr"]);
        var token = SessionToken.NewToken();
        var signedByOld = old.Sign(token);

        Assert.True(rotated.TryVerify(signedByOld, out _));
        Assert.False(retired.TryVerify(signedByOld, out _));
        var signedByRotated = rotated.Sign(token);
        Assert.True(retired.TryVerify(signedByRotated, out _));
        Assert.False(old.TryVerify(signedByRotated, out _));
    }

    [Fact]
    public void Arbitrary_input_never_throws()
    {
        var ring = SessionKeyRing.FromSecrets(["first-secret-0123456789abcdefghijklmnop"]);
        var random = new Random(42);
        for (var i = 0; i < 20_000; i++)
        {
            var length = random.Next(0, 120);
            var chars = new char[length];
            for (var j = 0; j < length; j++) chars[j] = (char)random.Next(0, i % 2 == 0 ? 128 : 0xFFFF);
            Assert.False(ring.TryVerify(new string(chars), out _));
        }
    }
}

public class TokenRandomnessTests
{
    [Fact]
    public void A_hundred_thousand_tokens_are_distinct_256_bit_and_uniform_in_every_byte()
    {
        const int count = 100_000;
        var seen = new HashSet<string>(count, StringComparer.Ordinal);
        var frequencies = new long[256];
        for (var i = 0; i < count; i++)
        {
            var token = SessionToken.NewToken();
            Assert.True(seen.Add(token));
            var bytes = Base64Url.DecodeFromChars(token);
            Assert.Equal(32, bytes.Length);
            foreach (var b in bytes) frequencies[b]++;
        }
        // Chi-square over 256 byte values (255 degrees of freedom): the 99.99th percentile is about 347.
        var expected = count * 32 / 256.0;
        var chiSquare = frequencies.Sum(f => (f - expected) * (f - expected) / expected);
        Assert.InRange(chiSquare, 150, 347);
    }

    [Fact]
    public void Tokens_carry_no_time_and_no_user_data()
    {
        // Two tokens issued in the same instant share no prefix beyond chance, unlike time-based ids.
        var pairs = Enumerable.Range(0, 1000).Select(_ => (SessionToken.NewToken(), SessionToken.NewToken()));
        var sharedFirstFour = pairs.Count(p => p.Item1[..4] == p.Item2[..4]);
        Assert.True(sharedFirstFour <= 1, $"{sharedFirstFour} of 1000 pairs share their first 24 bits");
        // NewToken takes no input at all: nothing about a user can reach it.
        Assert.Empty(typeof(SessionToken).GetMethod(nameof(SessionToken.NewToken))!.GetParameters());
    }
}
