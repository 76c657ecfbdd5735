import { Page } from '../../ui/layout';

// Placeholder until the screen is built.
export function HostUsersPage() {
  return <Page title="HostUsersPage">Not built yet.</Page>;
}
