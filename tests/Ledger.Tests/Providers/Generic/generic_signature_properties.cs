using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Ledger.Providers;
using Ledger.Providers.Generic;
using static Ledger.Tests.Providers.Generic.GatewaySigner;

namespace Ledger.Tests.Providers.Generic;

/// <summary>The signature scheme's rules as properties over generated reports.</summary>
public sealed class generic_signature_properties
{
    private static readonly GenericAdapter Adapter = new();

    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(200);

    private static readonly Gen<string> Name = Gen.Elements("abcdefghijklmnopqrstuvwxyz_".ToCharArray())
        .ArrayOf().Where(cs => cs.Length is > 0 and < 8).Select(cs => "p" + new string(cs));

    // Values with characters that must be percent-encoded, and non-ASCII, since those are where signers go wrong.
    private static readonly Gen<string> Value = Gen.Elements("aZ09 +&=%/中文é-._~".ToCharArray())
        .ArrayOf().Where(cs => cs.Length < 12).Select(cs => new string(cs));

    /// <summary>A report's parameters (distinct names besides msgid and stat), in the order the gateway sent them.</summary>
    private static readonly Gen<(string Name, string Value)[]> Parameters =
        Gen.Zip(Name, Value).ListOf().Select(extra => extra.DistinctBy(p => p.Item1).ToArray())
            .SelectMany(extra => Gen.Shuffle([("msgid", "prop-1"), ("stat", "DELIVRD"), .. extra]));

    private static string RandomCase(string name, bool[] upper) =>
        string.Concat(name.Select((c, i) => upper[i % upper.Length] ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c)));

    [Fact]
    public void any_order_of_parameters_and_any_casing_of_header_names_verifies()
    {
        var cases = Gen.Zip(Parameters, Gen.Elements(true, false).ArrayOf(16));
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var (parameters, upper) = c;
            var (body, headers) = DefaultForm(parameters);
            var cased = headers.Select(h => (RandomCase(h.Name, upper), h.Value)).ToArray();
            return Adapter.Handle(Request(body, FormType, cased), Account(), Now) is AdapterResult.Accepted;
        }).Check(Runs);
    }

    [Fact]
    public void any_change_of_one_parameter_value_fails_verification()
    {
        var cases = Parameters.SelectMany(ps => Gen.Zip(Gen.Choose(0, ps.Length - 1), Value), (ps, change) => (ps, change.Item1, change.Item2))
            .Where(c => c.ps[c.Item2].Value != c.Item3);
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var (parameters, index, tampered) = c;
            var (_, headers) = DefaultForm(parameters);
            var changed = parameters.ToArray();
            changed[index] = (changed[index].Name, tampered);
            return Adapter.Handle(Request(Form(changed), FormType, headers), Account(), Now) is AdapterResult.Rejected;
        }).Check(Runs);
    }

    [Fact]
    public void any_one_byte_change_of_a_raw_body_fails_verification()
    {
        var account = Account(options: ("StringToSign", "raw-body"));
        var cases = Parameters.SelectMany(
            ps => Gen.Zip(Gen.Choose(0, 4096), Gen.Choose(1, 255)),
            (ps, change) => (Json: "{" + string.Join(",", ps.Select(p => $"\"{p.Name}\":\"{p.Value}\"")) + "}", Position: change.Item1, Delta: change.Item2));
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var original = Encoding.UTF8.GetBytes(c.Json);
            var ts = Epoch(Now);
            var signature = HmacSha256Hex("s1", $"{ts}\nn\n{c.Json}");
            (string, string)[] headers = [("X-Timestamp", $"{ts}"), ("X-Nonce", "n"), ("X-Signature", signature)];
            var tampered = original.ToArray();
            var at = c.Position % tampered.Length;
            tampered[at] = (byte)(tampered[at] ^ c.Delta); // Delta is never 0, so the byte always changes

            return Adapter.Handle(Request(original, "application/json", headers), account, Now) is AdapterResult.Accepted
                && Adapter.Handle(Request(tampered, "application/json", headers), account, Now) is AdapterResult.Rejected;
        }).Check(Runs);
    }

    /// <summary>Where a gateway can put the signature: (options, how to send a report and its signature).</summary>
    private static readonly (string Name, (string Key, string Value)[] Options, Func<(string Name, string Value)[], string, Ledger.Ingest.RawCallback> Send)[] Carriers =
    [
        ("header", [], (ps, sig) => Request(Form(ps), FormType, Signed(("X-Signature", sig)))),
        ("prefixed header", [("SignaturePrefix", "sha256=")], (ps, sig) => Request(Form(ps), FormType, Signed(("X-Signature", "sha256=" + sig)))),
        ("body parameter", [("SignatureParam", "sign")], (ps, sig) => Request(Form([.. ps, ("sign", sig)]), FormType, Signed())),
        ("query beside a body", [("SignatureQueryParam", "sign")], (ps, sig) => Request("POST", $"sign={sig}", Form(ps), FormType, Signed())),
        ("query holding the report", [("SignatureQueryParam", "sign")], (ps, sig) => Request("GET", Form([("sign", sig), .. ps]), "", null, Signed())),
    ];

    private static (string, string)[] Signed(params (string, string)[] more) => [("X-Timestamp", $"{Epoch(Now)}"), ("X-Nonce", "n"), .. more];

    [Fact]
    public void wherever_the_signature_is_carried_the_report_verifies_and_any_change_of_one_value_fails()
    {
        var cases = Gen.Zip(Gen.Choose(0, Carriers.Length - 1), Parameters)
            .SelectMany(c => Gen.Zip(Gen.Choose(0, c.Item2.Length - 1), Value), (c, change) => (Carrier: c.Item1, Parameters: c.Item2, Index: change.Item1, Tampered: change.Item2))
            .Where(c => c.Parameters[c.Index].Value != c.Tampered);
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var (_, options, send) = Carriers[c.Carrier];
            var signature = HmacSha256Hex("s1", WithHeaders(Epoch(Now), "n", Sorted(c.Parameters)));
            var changed = c.Parameters.ToArray();
            changed[c.Index] = (changed[c.Index].Name, c.Tampered);

            return Adapter.Handle(send(c.Parameters, signature), Account(options: options), Now) is AdapterResult.Accepted
                && Adapter.Handle(send(changed, signature), Account(options: options), Now) is AdapterResult.Rejected;
        }).Check(Runs);
    }
}
