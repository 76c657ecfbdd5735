// Placeholder until the browser tag lands (being written now); renders nothing useful yet.
export function renderPixelSdk(opts: { pixelId: string; endpoint: string }): string {
  return `/* capig tag for ${opts.pixelId} via ${opts.endpoint} */\n`;
}
