// Loaded as a file (not inline) so the page works under a CSP without 'unsafe-inline' scripts.
window.addEventListener('load', () => {
  window.ui = SwaggerUIBundle({
    url: '/openapi/gateway.yaml',
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: 'StandaloneLayout',
    validatorUrl: null,
  });
});
