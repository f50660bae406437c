/**
 * @file Puppet EPP templates (.epp): see ../common/define-grammar.js and ../NODES.md.
 */
module.exports = require('../common/define-grammar.js')('epp');
