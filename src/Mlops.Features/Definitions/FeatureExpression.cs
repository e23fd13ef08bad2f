using System.Globalization;

namespace Mlops.Features.Definitions;

/// <summary>
/// A small arithmetic language for derived features: numbers, names (source columns or earlier features), unary minus,
/// <c>+ - * /</c> with the usual precedence, parentheses, and the functions <c>abs</c>, <c>log</c>, <c>sqrt</c>,
/// <c>min</c>, <c>max</c>. A missing input (NaN) makes the result missing; so does a division by zero.
/// </summary>
public sealed class FeatureExpression
{
    private static readonly Dictionary<string, int> Functions = new(StringComparer.Ordinal) { ["abs"] = 1, ["log"] = 1, ["sqrt"] = 1, ["min"] = 2, ["max"] = 2 };
    private readonly Node _root;

    private FeatureExpression(Node root, IReadOnlyList<string> names)
    {
        _root = root;
        Names = names;
    }

    /// <summary>The names the expression reads, in first-use order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Parses <paramref name="text"/>; throws <see cref="FormatException"/> saying where it went wrong.</summary>
    public static FeatureExpression Parse(string text)
    {
        var parser = new Parser(text);
        var root = parser.ParseAll();
        return new FeatureExpression(root, parser.Names);
    }

    /// <summary>Binds names to slots of a value array: the result evaluates a row's values.</summary>
    public Func<double[], double> Bind(Func<string, int> slotOf)
    {
        var compiled = Compile(_root, slotOf);
        return values =>
        {
            var v = compiled(values);
            return double.IsFinite(v) ? v : double.NaN;
        };
    }

    private static Func<double[], double> Compile(Node node, Func<string, int> slotOf)
    {
        switch (node)
        {
            case Number n:
                var value = n.Value;
                return _ => value;
            case Name name:
                var slot = slotOf(name.Text);
                return v => v[slot];
            case Unary u:
                var operand = Compile(u.Operand, slotOf);
                return v => -operand(v);
            case Binary b:
                var l = Compile(b.Left, slotOf);
                var r = Compile(b.Right, slotOf);
                return b.Op switch
                {
                    '+' => v => l(v) + r(v),
                    '-' => v => l(v) - r(v),
                    '*' => v => l(v) * r(v),
                    _ => v => l(v) / r(v),
                };
            case Call c:
                var args = c.Arguments.Select(a => Compile(a, slotOf)).ToArray();
                return c.Function switch
                {
                    "abs" => v => Math.Abs(args[0](v)),
                    "log" => v => Math.Log(args[0](v)),
                    "sqrt" => v => Math.Sqrt(args[0](v)),
                    "min" => v => Math.Min(args[0](v), args[1](v)),
                    _ => v => Math.Max(args[0](v), args[1](v)),
                };
            default:
                throw new InvalidOperationException("Unknown expression node.");
        }
    }

    private abstract record Node;

    private sealed record Number(double Value) : Node;

    private sealed record Name(string Text) : Node;

    private sealed record Unary(Node Operand) : Node;

    private sealed record Binary(char Op, Node Left, Node Right) : Node;

    private sealed record Call(string Function, IReadOnlyList<Node> Arguments) : Node;

    private sealed class Parser(string text)
    {
        private int _pos;

        public List<string> Names { get; } = [];

        public Node ParseAll()
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                throw new FormatException("the expression is empty");
            }

            var node = ParseSum();
            SkipSpace();
            if (_pos < text.Length)
            {
                throw new FormatException($"unexpected '{text[_pos]}' at position {_pos + 1}");
            }

            return node;
        }

        private Node ParseSum()
        {
            var left = ParseProduct();
            while (TryOperator('+', '-') is { } op)
            {
                left = new Binary(op, left, ParseProduct());
            }

            return left;
        }

        private Node ParseProduct()
        {
            var left = ParseUnary();
            while (TryOperator('*', '/') is { } op)
            {
                left = new Binary(op, left, ParseUnary());
            }

            return left;
        }

        private Node ParseUnary() => TryOperator('-') is not null ? new Unary(ParseUnary()) : ParseAtom();

        private Node ParseAtom()
        {
            SkipSpace();
            if (_pos >= text.Length)
            {
                throw new FormatException("the expression ends where a value was expected");
            }

            var c = text[_pos];
            if (c == '(')
            {
                _pos++;
                var inner = ParseSum();
                Expect(')');
                return inner;
            }

            if (char.IsAsciiDigit(c) || c == '.')
            {
                var start = _pos;
                while (_pos < text.Length && (char.IsAsciiDigit(text[_pos]) || text[_pos] is '.' or 'e' or 'E' ||
                       (text[_pos] is '+' or '-' && text[_pos - 1] is 'e' or 'E')))
                {
                    _pos++;
                }

                return double.TryParse(text.AsSpan(start, _pos - start), NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                    ? new Number(number)
                    : throw new FormatException($"'{text[start.._pos]}' at position {start + 1} is not a number");
            }

            if (char.IsAsciiLetter(c) || c == '_')
            {
                var start = _pos;
                while (_pos < text.Length && (char.IsAsciiLetterOrDigit(text[_pos]) || text[_pos] == '_'))
                {
                    _pos++;
                }

                var word = text[start.._pos];
                SkipSpace();
                if (_pos < text.Length && text[_pos] == '(')
                {
                    if (!Functions.TryGetValue(word, out var arity))
                    {
                        throw new FormatException($"unknown function '{word}' (use abs, log, sqrt, min, max)");
                    }

                    _pos++;
                    var args = new List<Node> { ParseSum() };
                    while (TryOperator(',') is not null)
                    {
                        args.Add(ParseSum());
                    }

                    Expect(')');
                    return args.Count == arity ? new Call(word, args) : throw new FormatException($"'{word}' takes {arity} argument(s), not {args.Count}");
                }

                if (!Names.Contains(word))
                {
                    Names.Add(word);
                }

                return new Name(word);
            }

            throw new FormatException($"unexpected '{c}' at position {_pos + 1}");
        }

        private char? TryOperator(params char[] ops)
        {
            SkipSpace();
            if (_pos < text.Length && ops.Contains(text[_pos]))
            {
                return text[_pos++];
            }

            return null;
        }

        private void Expect(char c)
        {
            SkipSpace();
            if (_pos >= text.Length || text[_pos] != c)
            {
                throw new FormatException($"expected '{c}' at position {_pos + 1}");
            }

            _pos++;
        }

        private void SkipSpace()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos]))
            {
                _pos++;
            }
        }
    }
}
