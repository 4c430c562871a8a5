// Validates a component's settings before its container starts anything, with the component's own
// parser, and on a problem prints one line per bad setting (`<component>: DAIS_X: <rule>`) and
// exits 78 (EX_CONFIG): the container stops with the reason in its log, not with a stack trace.
//   node /usr/local/lib/dais/check-config.mjs manager|orchestrator|router|shell
const loaders = {
  manager: ['/app/apps/manager/dist/config/manager.config.js', 'loadManagerConfig'],
  orchestrator: ['/app/apps/orchestrator/dist/config/orchestrator.config.js', 'loadOrchestratorConfig'],
  router: ['/app/apps/router/dist/config/router.config.js', 'loadRouterConfig'],
  shell: ['/app/apps/shell/dist/config/shell.config.js', 'loadShellConfig'],
};
const component = process.argv[2] ?? '';
const loader = loaders[component];
if (!loader) {
  console.error(`check-config: unknown component ${JSON.stringify(component)} (one of ${Object.keys(loaders).join(', ')})`);
  process.exit(64);
}
const [file, name] = loader;
const module = await import(file);
try {
  module[name]();
} catch (error) {
  if (!Array.isArray(error?.problems)) throw error;
  for (const problem of error.problems) console.error(`${component}: invalid setting ${problem}`);
  process.exit(78);
}
