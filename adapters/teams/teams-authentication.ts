import { ConfigurationBotFrameworkAuthentication, ConfigurationServiceClientCredentialFactory } from 'botbuilder';

/** botframework-connector's AuthenticationConstants (botbuilder does not export them): the public cloud's. */
const PUBLIC_CLOUD = {
  BotOpenIdMetadataKey: 'BotOpenIdMetadata',
  ToBotFromChannelOpenIdMetadataUrl: 'https://login.botframework.com/v1/.well-known/openidconfiguration',
  ToChannelFromBotLoginUrlPrefix: 'https://login.microsoftonline.com/',
  ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
  ToChannelFromBotOAuthScope: 'https://api.botframework.com',
  ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
  OAuthUrl: 'https://api.botframework.com',
  ToBotFromEmulatorOpenIdMetadataUrl: 'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration',
} as const;

type ServiceClientCredentials = Awaited<ReturnType<ConfigurationServiceClientCredentialFactory['createCredentials']>>;
import type { TeamsSettings } from './teams-settings';

/**
 * A token for the bot's own calls from a plain-HTTP login endpoint (a stand-in on this machine):
 * MSAL, which botbuilder uses for Microsoft's endpoints, accepts only https authorities.
 */
class LoopbackLoginCredentials {
  private token?: { value: string; until: number };

  constructor(
    private readonly appId: string,
    private readonly password: string,
    private readonly loginUrl: string,
    private readonly scope: string,
  ) {}

  async signRequest<T extends { headers: { set(name: string, value: string): void } }>(webResource: T): Promise<T> {
    webResource.headers.set('Authorization', `Bearer ${await this.getToken()}`);
    return webResource;
  }

  async getToken(): Promise<string> {
    if (this.token && this.token.until > Date.now()) return this.token.value;
    const response = await fetch(`${this.loginUrl.replace(/\/$/, '')}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: this.appId, client_secret: this.password, scope: `${this.scope}/.default` }),
    });
    if (!response.ok) throw new Error(`the login endpoint refused the bot's token: ${response.status}`);
    const body = (await response.json()) as { access_token: string; expires_in: number };
    this.token = { value: body.access_token, until: Date.now() + (body.expires_in - 300) * 1000 };
    return body.access_token;
  }
}

class TeamsCredentialFactory extends ConfigurationServiceClientCredentialFactory {
  constructor(private readonly settings: TeamsSettings) {
    super({ MicrosoftAppId: settings.appId, MicrosoftAppPassword: settings.appPassword, MicrosoftAppType: settings.appType, MicrosoftAppTenantId: settings.tenantId });
  }

  override async createCredentials(appId: string, audience: string, loginEndpoint: string, validateAuthority: boolean): Promise<ServiceClientCredentials> {
    if (!(await this.isAuthenticationDisabled()) && /^http:\/\//i.test(loginEndpoint ?? '')) {
      return new LoopbackLoginCredentials(appId, this.settings.appPassword, loginEndpoint, audience || PUBLIC_CLOUD.ToChannelFromBotOAuthScope) as unknown as ServiceClientCredentials;
    }
    return super.createCredentials(appId, audience, loginEndpoint, validateAuthority);
  }
}

/**
 * Bot Framework authentication: every token checked against the published keys (signature, issuer,
 * audience = our app id, expiry, the serviceUrl claim). Setting one endpoint makes botbuilder take
 * all of them as given, so every one is passed, Microsoft's unless the settings say otherwise.
 */
export function teamsAuthentication(settings: TeamsSettings): ConfigurationBotFrameworkAuthentication {
  const singleTenant = settings.appType === 'SingleTenant';
  const loginUrl = settings.loginUrl ?? (singleTenant && settings.tenantId ? `${PUBLIC_CLOUD.ToChannelFromBotLoginUrlPrefix}${settings.tenantId}` : PUBLIC_CLOUD.ToChannelFromBotLoginUrl);
  return new ConfigurationBotFrameworkAuthentication(
    {
      MicrosoftAppId: settings.appId,
      MicrosoftAppPassword: settings.appPassword,
      MicrosoftAppType: settings.appType,
      MicrosoftAppTenantId: settings.tenantId,
      [PUBLIC_CLOUD.BotOpenIdMetadataKey]: settings.openIdMetadataUrl ?? PUBLIC_CLOUD.ToBotFromChannelOpenIdMetadataUrl,
      ToChannelFromBotLoginUrl: loginUrl,
      ToChannelFromBotOAuthScope: PUBLIC_CLOUD.ToChannelFromBotOAuthScope,
      ToBotFromChannelTokenIssuer: PUBLIC_CLOUD.ToBotFromChannelTokenIssuer,
      OAuthUrl: PUBLIC_CLOUD.OAuthUrl,
      ToBotFromEmulatorOpenIdMetadataUrl: PUBLIC_CLOUD.ToBotFromEmulatorOpenIdMetadataUrl,
      CallerId: 'urn:botframework:azure',
      ValidateAuthority: true,
    } as ConstructorParameters<typeof ConfigurationBotFrameworkAuthentication>[0],
    new TeamsCredentialFactory(settings),
  );
}
