// Checks that hold across the workspace (private test infrastructure; the tests in test/ run them).
export { type ExportedName, findCollisions, readExports } from './exports.ts';
export { checkReadmeExamples, extractTsBlocks, type ReadmeExample } from './readme-examples.ts';
export {
  findBuiltinErrors,
  findErrorClasses,
  findExportStar,
  findOwnVectorLookups,
  findPlatformUse,
  librarySources,
  type SourceFinding,
} from './source-rules.ts';
export {
  type EntryPoint,
  listPackages,
  listSourceFiles,
  type WorkspacePackage,
  workspaceRoot,
} from './workspace.ts';
