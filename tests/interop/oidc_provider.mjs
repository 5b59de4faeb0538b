// A real OpenID Connect provider on loopback for the tests, shaped like ID-porten: the
// authorization code flow with PKCE, the identity number in the `pid` claim, and the level
// of assurance in `acr`. Its login page takes an identity number (any login succeeds, as
// in ID-porten's test environment with synthetic persons); the tests drive it over HTTP.
//
//   node oidc_provider.mjs --redirect-uri URI [--post-logout-redirect-uri URI]
//       [--staff-redirect-uri URI --staff-client-id ID --staff-client-secret SECRET]
//
// The second client, for staff, stands for an organisation's own provider (Entra ID,
// Ansattporten); its login page takes the `amr` too (space-separated).
//
// Prints "READY <issuer>" on stdout once it listens on a free port.
import crypto from "node:crypto";
import http from "node:http";
import { parseArgs } from "node:util";

import Provider from "oidc-provider";

const { values: args } = parseArgs({
  options: {
    "redirect-uri": { type: "string" },
    "post-logout-redirect-uri": { type: "string", default: "" },
    "client-id": { type: "string", default: "familiebro" },
    "client-secret": { type: "string", default: "test-client-secret" },
    "staff-redirect-uri": { type: "string", default: "" },
    "staff-client-id": { type: "string", default: "familiebro-staff" },
    "staff-client-secret": { type: "string", default: "test-staff-client-secret" },
  },
});
if (!args["redirect-uri"]) {
  console.error("Give the client's --redirect-uri.");
  process.exit(2);
}

const signingKey = crypto
  .generateKeyPairSync("rsa", { modulusLength: 2048 })
  .privateKey.export({ format: "jwk" });

const server = http.createServer();
server.listen(0, "127.0.0.1", () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: args["client-id"],
        client_secret: args["client-secret"],
        redirect_uris: [args["redirect-uri"]],
        post_logout_redirect_uris: args["post-logout-redirect-uri"]
          ? [args["post-logout-redirect-uri"]]
          : [],
        token_endpoint_auth_method: "client_secret_post",
      },
      ...(args["staff-redirect-uri"]
        ? [
            {
              client_id: args["staff-client-id"],
              client_secret: args["staff-client-secret"],
              redirect_uris: [args["staff-redirect-uri"]],
              token_endpoint_auth_method: "client_secret_post",
            },
          ]
        : []),
    ],
    jwks: { keys: [{ ...signingKey, kid: "test-key", alg: "RS256", use: "sig" }] },
    cookies: { keys: [crypto.randomBytes(32).toString("hex")] },
    acrValues: ["idporten-loa-substantial", "idporten-loa-high"],
    claims: { openid: ["sub", "pid", "acr", "amr"] },
    // ID-porten puts pid in the ID token itself.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (ctx, interaction) => `/login/${interaction.uid}` },
    // First-party client: the person is not asked to consent to their own login.
    loadExistingGrant: async (ctx) => {
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope("openid profile");
      await grant.save();
      return grant;
    },
    findAccount: async (ctx, id) => ({
      accountId: id,
      claims: async () => ({ sub: `sub-${id}`, pid: id }),
    }),
  });

  const loginPage = (uid, message = "") => `<!doctype html>
<html lang="nb"><head><title>Test-ID-porten</title></head><body>
<h1>Logg inn (test)</h1><p>${message}</p>
<form method="post" action="/login/${uid}">
<label for="pid">Fødselsnummer</label><input id="pid" name="pid">
<label for="acr">Sikkerhetsnivå</label>
<select id="acr" name="acr"><option>idporten-loa-high</option><option>idporten-loa-substantial</option></select>
<label for="amr">Metoder</label><input id="amr" name="amr" value="TestID">
<button name="action" value="login">Logg inn</button>
<button name="action" value="abort">Avbryt</button>
</form></body></html>`;

  const readForm = (req) =>
    new Promise((resolve) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => resolve(new URLSearchParams(body)));
    });

  const callback = provider.callback();
  server.on("request", async (req, res) => {
    const match = req.url.match(/^\/login\/([^/?]+)/);
    if (!match) return callback(req, res);
    try {
      const interaction = await provider.interactionDetails(req, res);
      if (req.method === "GET") {
        res.setHeader("content-type", "text/html; charset=utf-8");
        return res.end(loginPage(interaction.uid));
      }
      const form = await readForm(req);
      if (form.get("action") === "abort") {
        return await provider.interactionFinished(req, res, {
          error: "access_denied",
          error_description: "The person cancelled the login.",
        });
      }
      const pid = (form.get("pid") || "").trim();
      if (!/^\d{11}$/.test(pid)) {
        res.setHeader("content-type", "text/html; charset=utf-8");
        return res.end(loginPage(interaction.uid, "Skriv 11 siffer."));
      }
      await provider.interactionFinished(req, res, {
        login: {
          accountId: pid,
          acr: form.get("acr"),
          amr: (form.get("amr") || "TestID").split(" ").filter(Boolean),
        },
      });
    } catch (error) {
      res.statusCode = 400;
      res.end(String(error));
    }
  });
  console.log(`READY ${issuer}`);
});
