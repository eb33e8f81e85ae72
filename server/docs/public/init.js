// Loaded as a file (not inline) so the page works under a CSP without 'unsafe-inline' scripts.
// BaseLayout, not StandaloneLayout: the standalone top bar (a URL box we do not want) draws its logo
// as an SVG with an inline <style>, which our CSP (no 'unsafe-inline' styles) refuses.
window.addEventListener('load', () => {
  window.ui = SwaggerUIBundle({
    url: '/openapi/gateway.yaml',
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
    validatorUrl: null,
  });
  // Swagger UI's markup fails a few axe rules (issue 20, problem 10); they are mended as it renders:
  // the servers list gets a name, the deep link inside each operation's toggle button (a link in a
  // button, too small a target) stops being a link (the button still opens it and deep linking still
  // updates the address), scrollable code samples can be reached with the keyboard, and Swagger's own
  // <main> becomes a plain region inside our page's main landmark.
  const root = document.getElementById('swagger-ui');
  const mend = () => {
    for (const select of root.querySelectorAll('select#servers:not([aria-label])')) {
      select.setAttribute('aria-label', 'Server');
    }
    for (const link of root.querySelectorAll('.opblock-summary-control a[href]')) {
      link.removeAttribute('href');
    }
    for (const pre of root.querySelectorAll(
      'pre.microlight:not([tabindex]), .highlight-code pre:not([tabindex])',
    )) {
      pre.setAttribute('tabindex', '0');
    }
    for (const main of root.querySelectorAll('main')) {
      if (!main.hasAttribute('role')) main.setAttribute('role', 'region');
      if (!main.hasAttribute('aria-label')) main.setAttribute('aria-label', 'Operations');
    }
  };
  new window.MutationObserver(mend).observe(root, { childList: true, subtree: true });
  mend();
});
