// mirror-validate uploads artifacts and never downloads them: @actions/artifact imports unzip-stream for
// downloads only. The real package depends on `buffers`, which carries no license (ZJONSSON/node-unzipper#293),
// so a published bundle may not contain it; this stand-in is bundled instead and refuses to be used.
'use strict';
function notBundled() {
  throw new Error('mirror-validate does not download artifacts (unzip-stream is not bundled)');
}
module.exports = { Extract: notBundled, Parse: notBundled };
