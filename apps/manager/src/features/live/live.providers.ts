import { OrchestratorStreams } from '../../infrastructure/peers/orchestrator-streams';
import { LiveGateway } from './live.gateway';
import { LiveStreamsService } from './live-streams.service';

/** Everything live streams need in the API process (registered with one line in ApiModule). */
export const LIVE_PROVIDERS = [LiveGateway, LiveStreamsService, OrchestratorStreams];
