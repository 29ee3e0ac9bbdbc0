import { randomUUID } from 'node:crypto';
import type { HubPublisher, HubUpdate } from '../../common/hub-publisher.ts';
import type { HubService } from '../service/server.ts';

/** Publishes straight into an in-process hub (the embedded default): same ordering and dedupe, no HTTP hop. */
export function localPublisher(service: HubService): HubPublisher {
  return {
    async publish(u: HubUpdate): Promise<string> {
      const id = u.id ?? `urn:uuid:${randomUUID()}`;
      await service.hub.publish({
        id,
        topics: u.topics,
        data: u.data,
        private: u.private === true,
        type: u.type,
      });
      return id;
    },
  };
}
