import { Page } from '../../ui/layout';

// Placeholder until the screen is built.
export function DeadLettersPage() {
  return <Page title="DeadLettersPage">Not built yet.</Page>;
}
