import { Page } from '../../ui/layout';

// Placeholder until the screen is built.
export function ManageAccountsPage() {
  return <Page title="ManageAccountsPage">Not built yet.</Page>;
}
