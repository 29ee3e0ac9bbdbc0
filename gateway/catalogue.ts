/** The sale catalogue contract lives in common/ (the orchestrator serves it); the gateway reads it through it. */
export {
  emptyCatalogue,
  HttpCatalogue,
  staticCatalogue,
  type Catalogue,
  type CatalogueLot,
  type SaleCatalogue,
  type SaleSummary,
} from '../common/catalogue.ts';
