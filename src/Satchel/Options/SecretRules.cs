namespace Satchel;

/// <summary>What a signing secret (<see cref="SatchelOptions.Secrets"/>) must be: long, and not obviously chosen by a person.</summary>
internal static class SecretRules
{
    public const int MinimumLength = 32;
    private const int MinimumDistinctCharacters = 12;

    /// <summary>
    /// Why <paramref name="secret"/> is obviously not random, or <see langword="null"/>: a sentence
    /// or a placeholder such as the docs' (random generators never put a space in), or a few
    /// characters repeated. A configuration copied from the docs would otherwise sign cookies with
    /// a value anyone can read.
    /// </summary>
    public static string? NotRandom(string secret)
    {
        if (secret.Any(char.IsWhiteSpace)) return "it has spaces, like a sentence or a placeholder";
        if (secret.Distinct().Count() < MinimumDistinctCharacters) return $"fewer than {MinimumDistinctCharacters} different characters";
        return null;
    }
}
