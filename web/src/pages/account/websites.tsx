import { Page } from '../../ui/layout';

// Placeholder until the screen is built.
export function WebsitesPage() {
  return <Page title="WebsitesPage">Not built yet.</Page>;
}
