// Drives the dev IdP's login and consent pages headlessly: fetch + a minimal cookie jar, posting
// each devInteractions form until the IdP redirects to the relying party's redirect_uri.

interface StoredCookie {
  value: string;
  path: string;
}

export class CookieJar {
  readonly #cookies = new Map<string, StoredCookie>();

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path = '/';
      let expired = value === '';
      for (const attribute of attributes) {
        const [key = '', attrValue = ''] = attribute.split('=');
        if (key.toLowerCase() === 'path') path = attrValue;
        if (key.toLowerCase() === 'max-age' && Number(attrValue) <= 0) expired = true;
        if (key.toLowerCase() === 'expires' && Date.parse(attrValue) < Date.now()) expired = true;
      }
      if (expired) this.#cookies.delete(name);
      else this.#cookies.set(name, { value, path });
    }
  }

  header(url: URL): string {
    return [...this.#cookies]
      .filter(([, cookie]) => url.pathname.startsWith(cookie.path))
      .map(([name, cookie]) => `${name}=${cookie.value}`)
      .join('; ');
  }
}

export interface LoginOptions {
  authorizationUrl: URL;
  redirectUri: string;
  login: string;
  password?: string;
}

/** Returns the redirect_uri URL (with code and state) that the IdP finally redirects to. */
export async function completeDevLogin(options: LoginOptions): Promise<URL> {
  const jar = new CookieJar();
  let url = options.authorizationUrl;
  let init: RequestInit = { method: 'GET' };

  for (let step = 0; step < 20; step++) {
    const cookie = jar.header(url);
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) },
    });
    jar.store(response);

    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      const location = new URL(response.headers.get('location') ?? '', url);
      if (location.href.startsWith(options.redirectUri)) return location;
      url = location;
      init = { method: 'GET' };
      continue;
    }

    const html = await response.text();
    if (response.status !== 200) throw new Error(`IdP answered ${response.status}: ${html.slice(0, 300)}`);
    const prompt = /name="prompt" value="([^"]+)"/.exec(html)?.[1];
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (!prompt || !action) throw new Error(`Unexpected IdP page: ${html.slice(0, 300)}`);

    const form = new URLSearchParams({ prompt });
    if (prompt === 'login') {
      form.set('login', options.login);
      form.set('password', options.password ?? 'any password works');
    }
    url = new URL(action, url);
    init = {
      method: 'POST',
      body: form.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    };
  }
  throw new Error('The login did not finish within 20 steps.');
}
