using System.Security.Cryptography;
using System.Text;
using MailHost.Protocols.Sasl;

namespace MailHost.Protocols.Tests.Sasl;

public class SaslScramSha256MechanismTests
{
    // One character over the longest client nonce the server takes (256).
    private const string LongNonce = "NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN";

    // RFC 7677 §3 test vector.
    private const string ClientFirst = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
    private const string ServerNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    private const string ServerFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    private const string ClientFinal = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    private const string ServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    private static string Text(SaslStep step) => Encoding.UTF8.GetString(step.Data.Span);

    private static SaslScramCredentials Credentials(string password, byte[] salt, int iterations)
    {
        var salted = Rfc2898DeriveBytes.Pbkdf2(Bytes(password), salt, iterations, HashAlgorithmName.SHA256, 32);
        var storedKey = SHA256.HashData(HMACSHA256.HashData(salted, "Client Key"u8));
        var serverKey = HMACSHA256.HashData(salted, "Server Key"u8);
        return new SaslScramCredentials(salt, iterations, storedKey, serverKey);
    }

    private static SaslScramCredentials PencilCredentials() =>
        Credentials("pencil", Convert.FromBase64String("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);

    /// <summary>Runs client-first and the credentials step, returning the mechanism waiting for client-final.</summary>
    private static SaslScramSha256Mechanism AfterServerFirst(string clientFirst = ClientFirst)
    {
        var mechanism = new SaslScramSha256Mechanism(ServerNonce);
        mechanism.Start(Bytes(clientFirst)).Kind.Should().Be(SaslStepKind.NeedScramCredentials);
        mechanism.ProvideCredentials(PencilCredentials()).Kind.Should().Be(SaslStepKind.Challenge);
        return mechanism;
    }

    [Fact]
    public void Rfc7677_test_vector()
    {
        var mechanism = new SaslScramSha256Mechanism(ServerNonce);

        var need = mechanism.Start(Bytes(ClientFirst));
        need.Kind.Should().Be(SaslStepKind.NeedScramCredentials);
        need.AuthenticationId.Should().Be("user");
        need.AuthorizationId.Should().BeNull();

        var serverFirst = mechanism.ProvideCredentials(PencilCredentials());
        serverFirst.Kind.Should().Be(SaslStepKind.Challenge);
        Text(serverFirst).Should().Be(ServerFirst);

        var success = mechanism.Continue(Bytes(ClientFinal));
        success.Kind.Should().Be(SaslStepKind.Success);
        success.AuthenticationId.Should().Be("user");
        Text(success).Should().Be(ServerFinal);
        mechanism.IsCompleted.Should().BeTrue();
    }

    [Fact]
    public void Without_initial_response_sends_empty_challenge_first()
    {
        var mechanism = new SaslScramSha256Mechanism(ServerNonce);
        var first = mechanism.Start();
        first.Kind.Should().Be(SaslStepKind.Challenge);
        first.Data.Length.Should().Be(0);
        mechanism.Continue(Bytes(ClientFirst)).Kind.Should().Be(SaslStepKind.NeedScramCredentials);
        Text(mechanism.ProvideCredentials(PencilCredentials())).Should().Be(ServerFirst);
        Text(mechanism.Continue(Bytes(ClientFinal))).Should().Be(ServerFinal);
    }

    [Fact]
    public void Wrong_proof_fails_with_invalid_proof()
    {
        var mechanism = AfterServerFirst();
        var wrong = ClientFinal.Replace("p=dHzb", "p=dHzc", StringComparison.Ordinal);
        var step = mechanism.Continue(Bytes(wrong));
        step.Kind.Should().Be(SaslStepKind.Failure);
        step.Failure.Should().Be(SaslFailure.AuthenticationFailed);
        Text(step).Should().Be("e=invalid-proof");
        step.AuthenticationId.Should().Be("user");
    }

    [Fact]
    public void Channel_binding_request_is_refused_with_the_rfc_error()
    {
        var step = new SaslScramSha256Mechanism(ServerNonce).Start(Bytes("p=tls-unique,,n=user,r=abc"));
        step.Failure.Should().Be(SaslFailure.Unsupported);
        Text(step).Should().Be("e=channel-binding-not-supported");
    }

    [Fact]
    public void Gs2_flag_y_is_accepted_and_must_be_repeated_in_c()
    {
        var mechanism = AfterServerFirst("y,,n=user,r=rOprNGfwEbeRWgbNEkqO");

        // c=biws is base64("n,,"): it does not repeat "y,,", so the binding does not match.
        var step = mechanism.Continue(Bytes(ClientFinal));
        step.Failure.Should().Be(SaslFailure.Malformed);
        Text(step).Should().Be("e=channel-bindings-dont-match");
    }

    [Fact]
    public void Gs2_flag_y_completes_with_a_matching_proof()
    {
        var credentials = PencilCredentials();
        var mechanism = new SaslScramSha256Mechanism("snonce");
        mechanism.Start(Bytes("y,,n=user,r=cnonce"));
        var serverFirst = Text(mechanism.ProvideCredentials(credentials));
        var withoutProof = "c=" + Convert.ToBase64String(Bytes("y,,")) + ",r=cnoncesnonce";
        var proof = ScramClientProof("pencil", credentials, "n=user,r=cnonce," + serverFirst + "," + withoutProof);
        mechanism.Continue(Bytes(withoutProof + ",p=" + proof)).Kind.Should().Be(SaslStepKind.Success);
    }

    [Fact]
    public void Changed_nonce_is_refused()
    {
        var mechanism = AfterServerFirst();
        var tampered = ClientFinal.Replace("$k0,p=", "$k1,p=", StringComparison.Ordinal);
        var step = mechanism.Continue(Bytes(tampered));
        step.Failure.Should().Be(SaslFailure.Malformed);
        Text(step).Should().Be("e=other-error");
    }

    [Theory]
    [InlineData("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0")] // no proof
    [InlineData("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,c=biws,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")] // order
    [InlineData("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=!!!!")] // proof not base64
    [InlineData("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=AAAA")] // proof too short
    public void Malformed_client_final_is_refused(string clientFinal)
    {
        var step = AfterServerFirst().Continue(Bytes(clientFinal));
        step.Kind.Should().Be(SaslStepKind.Failure);
        step.Failure.Should().Be(SaslFailure.Malformed);
        Text(step).Should().StartWith("e=");
    }

    [Theory]
    [InlineData("", "invalid-encoding")]
    [InlineData("x,,n=user,r=abc", "invalid-encoding")]
    [InlineData("n,n=user,r=abc", "invalid-encoding")] // missing authzid comma
    [InlineData("n,,r=abc", "invalid-encoding")]
    [InlineData("n,,n=user", "invalid-encoding")]
    [InlineData("n,,n=,r=abc", "invalid-username-encoding")]
    [InlineData("n,,n=us=41er,r=abc", "invalid-username-encoding")]
    [InlineData("n,,n=user,r=", "invalid-encoding")]
    [InlineData("n,,n=user,r=a b", "invalid-encoding")]
    [InlineData("n,b=x,n=user,r=abc", "invalid-encoding")]
    [InlineData("n,,n=user,r=" + LongNonce, "invalid-encoding")] // found by fuzzing: echoed whole in the server-first challenge
    public void Malformed_client_first_is_refused(string clientFirst, string rfcError)
    {
        var step = new SaslScramSha256Mechanism(ServerNonce).Start(Bytes(clientFirst));
        step.Failure.Should().Be(SaslFailure.Malformed);
        Text(step).Should().Be("e=" + rfcError);
    }

    [Fact]
    public void Mandatory_extension_is_refused()
    {
        var step = new SaslScramSha256Mechanism(ServerNonce).Start(Bytes("n,,m=ext,n=user,r=abc"));
        step.Failure.Should().Be(SaslFailure.Unsupported);
        Text(step).Should().Be("e=extensions-not-supported");
    }

    [Fact]
    public void Saslname_escapes_and_authzid_are_decoded()
    {
        var step = new SaslScramSha256Mechanism(ServerNonce).Start(Bytes("n,a=bo=3Db,n=a=2Cb=3Dc,r=abc,x=ignored"));
        step.Kind.Should().Be(SaslStepKind.NeedScramCredentials);
        step.AuthenticationId.Should().Be("a,b=c");
        step.AuthorizationId.Should().Be("bo=b");
    }

    [Fact]
    public void Server_nonce_is_random_and_printable()
    {
        static string NonceOf(SaslScramSha256Mechanism m)
        {
            m.Start(Bytes("n,,n=user,r=abc"));
            var first = Text(m.ProvideCredentials(PencilCredentials()));
            return first.Split(',')[0][2..];
        }

        var a = NonceOf(new SaslScramSha256Mechanism());
        var b = NonceOf(new SaslScramSha256Mechanism());
        a.Should().StartWith("abc").And.NotBe(b);
        a.Length.Should().BeGreaterThan(3 + 16);
        a.Should().NotContain(",");
    }

    [Fact]
    public void Incomplete_credentials_are_a_programming_error()
    {
        var mechanism = new SaslScramSha256Mechanism(ServerNonce);
        mechanism.Start(Bytes(ClientFirst));
        var act = () => mechanism.ProvideCredentials(new SaslScramCredentials(new byte[16], 4096, new byte[3], new byte[32]));
        act.Should().Throw<ArgumentException>();
    }

    private static string ScramClientProof(string password, SaslScramCredentials credentials, string authMessage)
    {
        var salted = Rfc2898DeriveBytes.Pbkdf2(Bytes(password), credentials.Salt.Span, credentials.Iterations, HashAlgorithmName.SHA256, 32);
        var clientKey = HMACSHA256.HashData(salted, "Client Key"u8);
        var signature = HMACSHA256.HashData(SHA256.HashData(clientKey), Bytes(authMessage));
        for (var i = 0; i < clientKey.Length; i++)
        {
            clientKey[i] ^= signature[i];
        }

        return Convert.ToBase64String(clientKey);
    }
}
