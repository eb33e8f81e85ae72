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
});
