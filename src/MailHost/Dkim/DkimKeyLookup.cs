using MailHost.Protocols.MailAuthentication;
using Org.BouncyCastle.Crypto;

namespace MailHost.Dkim;

/// <summary>The key record and usable key at <c>selector._domainkey.domain</c>, or why there is none.</summary>
internal sealed record DkimKeyLookup(DkimKeyStatus Status, DkimKeyRecord? Record, AsymmetricKeyParameter? Key, string Reason);
